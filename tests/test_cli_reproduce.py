"""The reproduce command must never pretend: until the pipeline exists it fails loudly."""

from trustkit.cli import main


def test_cli_lists_reproduce(capsys):
    assert main([]) == 2
    assert "reproduce" in capsys.readouterr().out
