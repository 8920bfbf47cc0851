"""The built-in rules, one per module; registered explicitly in ``BUILTIN_RULES``.

This folder is installed as the ``saltscan.rules`` package (setup.cfg
``package_dir``). Rules import ``saltscan.api`` and their private helpers
(``_content``, ``_paths``, ...) only.
"""

from .cmd_env_credential import CmdEnvCredential
from .command_line_credential import CommandLineCredential
from .cron_job import CronJob
from .cross_host_dependency import CrossHostDependency
from .deprecated_cmd_wait import DeprecatedCmdWait
from .duplicate_id import DuplicateId
from .env_file_credential import EnvFileCredential
from .environ_get_secret import EnvironGetSecret
from .environ_setenv_credential import EnvironSetenvCredential
from .explicit_order import ExplicitOrder
from .file_plaintext_secret import FilePlaintextSecret
from .firewall import Firewall
from .foreign_service_requisite import ForeignServiceRequisite
from .host_path_argument import HostPathArgument
from .host_path_content import HostPathContent
from .implicit_ordering import ImplicitOrdering
from .kernel_tunable import KernelTunable
from .live_service_command import LiveServiceCommand
from .login_accounts import LoginAccounts
from .missing_include import MissingInclude
from .missing_requisite import MissingRequisite
from .missing_source import MissingSource
from .mount_swap import MountSwap
from .multiple_services import MultipleServices
from .network_config import NetworkConfig
from .pillar_plaintext_secret import PillarPlaintextSecret
from .render_error import RenderFailure
from .requisite_cycle import RequisiteCycle
from .restart_on_change import RestartOnChange
from .selinux import Selinux
from .state_hardcoded_endpoint import StateHardcodedEndpoint
from .state_plaintext_secret import StatePlaintextSecret
from .systemd_environment_credential import SystemdEnvironmentCredential
from .template_hardcoded_endpoint import TemplateHardcodedEndpoint
from .time_locale import TimeLocale
from .undefined_pillar import UndefinedPillar
from .unquoted_file_mode import UnquotedFileMode

BUILTIN_RULES = (
    # hardcoded-path
    HostPathArgument,
    HostPathContent,
    # env-credential
    EnvironSetenvCredential,
    EnvFileCredential,
    SystemdEnvironmentCredential,
    CmdEnvCredential,
    CommandLineCredential,
    EnvironGetSecret,
    # plaintext-secret
    PillarPlaintextSecret,
    StatePlaintextSecret,
    FilePlaintextSecret,
    # hardcoded-endpoint
    StateHardcodedEndpoint,
    TemplateHardcodedEndpoint,
    # ordering
    ExplicitOrder,
    ImplicitOrdering,
    LiveServiceCommand,
    CrossHostDependency,
    RequisiteCycle,
    # runtime-coupling
    RestartOnChange,
    MultipleServices,
    ForeignServiceRequisite,
    # host-level
    KernelTunable,
    MountSwap,
    CronJob,
    TimeLocale,
    NetworkConfig,
    Firewall,
    Selinux,
    LoginAccounts,
    # correctness
    RenderFailure,
    UndefinedPillar,
    MissingInclude,
    MissingSource,
    MissingRequisite,
    DuplicateId,
    # style
    DeprecatedCmdWait,
    UnquotedFileMode,
)

__all__ = ["BUILTIN_RULES"]
