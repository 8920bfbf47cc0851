"""Templates get what file.managed gives them: its arguments, extra kwargs, accumulators."""


def test_template_sees_state_arguments_kwargs_context_and_accumulator(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - app\n",
        "salt/app.sls": """
            app-conf:
              file.managed:
                - name: /etc/app.conf
                - source: salt://files/app.conf.j2
                - template: jinja
                - user: app
                - mode: '0640'
                - listen_port: 8080
                - context:
                    db_host: db.internal
            app-extra:
              file.accumulated:
                - filename: /etc/app.conf
                - text: extra=1
            """,
        "salt/files/app.conf.j2": """
            # {{ name }} from {{ source }} owned by {{ user }} ({{ mode }}) in {{ saltenv }}
            port={{ listen_port }}
            db={{ db_host }}
            {% for line in accumulator['app-extra'] %}{{ line }}{% endfor %}
            """,
    }).grains("m1")
    r = tree.render("m1")
    assert r.errors == ()
    [tpl] = r.templates
    assert tpl.state_id == "app-conf"
    assert tpl.text.splitlines() == [
        "# /etc/app.conf from salt://files/app.conf.j2 owned by app (0640) in base",
        "port=8080",
        "db=db.internal",
        "extra=1",
    ]
    assert tpl.location.file == "salt/files/app.conf.j2"
    assert tpl.source_line(3) == 3
