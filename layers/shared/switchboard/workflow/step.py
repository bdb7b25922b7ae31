"""What every workflow-state handler shares: Powertools decorators with the case id as the
correlation id, and parsing the event into the state's own input model."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ..domain.models import StepInput
from ..observability import logger, metrics, tracer


def workflow_step[M: StepInput](
    model: type[M],
) -> Callable[[Callable[[M, Any], BaseModel | dict[str, Any]]], Callable[[dict[str, Any], Any], Any]]:
    """Wrap `step(state, context)` of a state's function: the event is parsed into the state's own
    input `model`, and the step's pydantic result is answered as plain JSON."""

    def wrap(step: Callable[[M, Any], BaseModel | dict[str, Any]]) -> Callable[[dict[str, Any], Any], Any]:
        @functools.wraps(step)
        def handler(event: dict[str, Any], context: Any) -> Any:
            state = model.model_validate(event)
            logger.set_correlation_id(state.caseId)
            result = step(state, context)
            return result.model_dump(mode="json") if isinstance(result, BaseModel) else result

        return metrics.log_metrics(tracer.capture_lambda_handler(logger.inject_lambda_context(handler)))

    return wrap
