"""Stopping the local runtime aborts what still runs; moto's engine may then log a States.Runtime warning
and a whole state's dump for an execution stopped as it entered a state. That is the stop's own noise:
moto's engine logs only what is critical once a runtime stops, and as usual again when one starts.
A stop also gives the process back its garbage collector as it was before the runtime started."""

from __future__ import annotations

import gc
import logging

from local_runtime.runtime import MOTO_ENGINE_LOGGER, YOUNG_GENERATION_THRESHOLD, LocalRuntime


def test_a_stopped_runtime_quietens_the_engine_and_the_next_start_restores_it():
    engine = logging.getLogger(MOTO_ENGINE_LOGGER)
    # while a runtime runs, the engine's warnings show as any library's do
    with LocalRuntime(seed_path=None):
        assert engine.level == logging.NOTSET
        assert engine.isEnabledFor(logging.WARNING)
    # after it stopped, only what is critical
    assert not engine.isEnabledFor(logging.ERROR)
    assert engine.isEnabledFor(logging.CRITICAL)
    # and the next runtime logs as usual again
    with LocalRuntime(seed_path=None):
        assert engine.isEnabledFor(logging.WARNING)


def test_a_running_runtime_collects_young_objects_less_often_and_its_stop_restores_the_process_s_collector():
    before = gc.get_threshold()
    # while a runtime runs, the young generation is collected every YOUNG_GENERATION_THRESHOLD allocations
    with LocalRuntime(seed_path=None):
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0  # what it deployed is frozen, out of the collector's walks
    # once it stopped, the process collects as it did before
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
