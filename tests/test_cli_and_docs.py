"""Admin commands and the README: every command has help, every setting is
documented, the README starts with the two set-up commands."""

import re

from archive import db as database
from archive import migrations, settings
from archive.cli import COMMANDS
from archive.settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _all_commands():
    for command in COMMANDS:
        yield command.name, command
        for name, sub in getattr(command, "commands", {}).items():
            yield f"{command.name} {name}", sub


def test_every_command_has_help(runner):
    for name, command in _all_commands():
        assert (command.help or "").strip(), name
        result = runner.invoke(args=[*name.split(), "--help"])
        assert result.exit_code == 0, name
        assert command.help.split()[0] in result.output


def test_every_command_is_in_the_readme():
    for name, _ in _all_commands():
        assert f"`{name}" in README, name


def test_every_setting_is_documented_in_the_readme():
    for setting in settings.SETTINGS:
        assert f"`{setting.name}`" in README, setting.name


def test_readme_starts_with_run_and_test_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    assert README.index("```sh") < README.index("## ")


def test_settings_come_from_environment_and_instance_file(tmp_path, monkeypatch):
    from archive import create_app

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('SITE_NAME = "实例馆"\nPAGE_SIZE = 12\n', encoding="utf-8")
    monkeypatch.setenv("ARCHIVE_INSTANCE_DIR", str(instance))
    monkeypatch.setenv("ARCHIVE_PAGE_SIZE", "30")
    app = create_app()
    assert app.config["SITE_NAME"] == "实例馆"
    assert app.config["PAGE_SIZE"] == 30  # the environment wins over the file


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    from archive import create_app

    monkeypatch.setenv("ARCHIVE_INSTANCE_DIR", str(tmp_path / "inst"))
    monkeypatch.delenv("ARCHIVE_SECRET_KEY", raising=False)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


def test_no_secret_key_constant_in_code():
    for path in (PROJECT_ROOT / "archive").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"SECRET_KEY\s*=\s*['\"]", text), path


def test_init_is_repeatable_and_builds_the_index(tmp_path):
    from archive import create_app
    from tests.conftest import config_for

    app = create_app(config_for(tmp_path))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init", "--no-demo"])
    assert first.exit_code == 0, first.output
    assert "检索索引：已重建" in first.output
    again = runner.invoke(args=["init", "--no-demo"])
    assert again.exit_code == 0 and "检索索引：已是最新" in again.output


def test_init_creates_the_first_admin_once_and_its_password_logs_in(tmp_path):
    import re as regex

    from archive import create_app
    from tests.conftest import ClosingClient, config_for
    from tests.curating import token

    app = create_app(config_for(tmp_path))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init", "--no-demo"])
    password = regex.search(r"用户名 admin，初始密码 (\S+)", first.output).group(1)
    again = runner.invoke(args=["init", "--no-demo"])
    assert "初始密码" not in again.output  # shown once, never replaced
    app.test_client_class = ClosingClient
    client = app.test_client()
    response = client.post(
        "/curate/login",
        data={"username": "admin", "password": password, "csrf_token": token(client)},
    )
    assert response.status_code == 302
    assert client.get("/curate/admin/users").status_code == 200


def test_serve_refuses_a_database_with_migrations_pending_until_init(tmp_path):
    """New code on an old database (an upgrade without `init`) would fail wherever it
    uses what is new; `serve` says so in Chinese and starts nothing, `init` mends it."""
    from archive import create_app
    from tests.conftest import config_for

    config = config_for(tmp_path)
    db = database.connect(config["DATABASE"])
    newest = migrations.migrations._migrations[-1].name
    migrations.migrations.apply(db, stop_before=newest)  # the database of the last release
    runner = create_app(config).test_cli_runner()
    result = runner.invoke(args=["serve", "--bind", "127.0.0.1:1"])
    assert result.exit_code == 1
    assert "迁移未应用" in result.output and newest in result.output
    assert "Traceback" not in result.output
    assert runner.invoke(args=["init", "--no-demo", "--no-admin"]).exit_code == 0
    assert migrations.pending(db) == []
    db.conn.close()
