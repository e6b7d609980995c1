"""The command line's error boundary: expected failures in one line, bugs with their traceback."""

import pytest

import trustkit.metrics.cards as cards
from trustkit.cli import BUG_REPORT, main
from trustkit.data.fetching import DataIntegrityError
from trustkit.data.pairs import PairFileError
from trustkit.errors import InputError, TrustkitError, UnknownNameError
from trustkit.models.hub import HubError
from trustkit.models.preflight import HubUnavailable
from trustkit.scoring.cache import CacheError
from trustkit.scoring.memory import RowDoesNotFitError


@pytest.mark.parametrize(
    "error",
    [
        InputError,
        UnknownNameError,
        HubError,
        HubUnavailable,
        DataIntegrityError,
        PairFileError,
        CacheError,
        RowDoesNotFitError,
    ],
)
def test_expected_failures_share_one_base(error):
    assert issubclass(error, TrustkitError)


def test_the_two_hub_errors_share_a_base_and_keep_their_old_types():
    assert issubclass(HubUnavailable, HubError)
    assert issubclass(HubUnavailable, RuntimeError) and issubclass(HubError, ValueError)


def test_expected_failure_prints_one_line(capsys):
    assert main(["metrics", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("trustkit metrics: error: unknown metric 'nope'")
    assert "--debug" in err and BUG_REPORT not in err


def test_operating_system_error_stays_one_line(monkeypatch, capsys):
    def unreadable(name):
        raise PermissionError(13, "Permission denied", "/cards/pll.md")

    monkeypatch.setattr(cards, "metric_card", unreadable)
    assert main(["metrics", "pll"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Permission denied" in err and "Traceback" not in err


def test_a_bug_prints_its_traceback_and_says_it_is_a_bug(monkeypatch, capsys):
    def broken(name):
        return {}["no such key"]  # a KeyError from trustkit's own code: a bug, not bad input

    monkeypatch.setattr(cards, "metric_card", broken)
    assert main(["metrics", "pll"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "KeyError: 'no such key'" in err and "in broken" in err
    assert err.rstrip().splitlines()[-1] == f"trustkit metrics: {BUG_REPORT}"
    assert "error:" not in err  # it does not pass for a user error


def test_debug_lets_every_failure_through():
    with pytest.raises(UnknownNameError):
        main(["--debug", "metrics", "nope"])


def test_running_out_of_device_memory_is_an_expected_failure(monkeypatch, capsys):
    import torch

    def out_of_memory(name):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(cards, "metric_card", out_of_memory)
    assert main(["metrics", "pll"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out of memory: lower --batch-tokens" in err
