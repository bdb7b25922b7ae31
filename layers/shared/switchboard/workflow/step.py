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
) -> Callable[[Callable[[M, Any], BaseModel]], Callable[[dict[str, Any], Any], Any]]:
    """Wrap `step(state, context)` of a state's function: the event is parsed into the state's own
    input `model`, and the step's result (the state's output model) is answered as plain JSON."""

    def wrap(step: Callable[[M, Any], BaseModel]) -> Callable[[dict[str, Any], Any], Any]:
        @functools.wraps(step)
        def handler(event: dict[str, Any], context: Any) -> Any:
            state = model.model_validate(event)
            logger.set_correlation_id(state.caseId)
            result = step(state, context)
            if not isinstance(result, BaseModel):  # a state's output is a contract, never a loose dict
                raise TypeError(
                    f"{step.__module__}: a workflow step answers its output model, not {type(result).__name__}"
                )
            return result.model_dump(mode="json")

        return metrics.log_metrics(tracer.capture_lambda_handler(logger.inject_lambda_context(handler)))

    return wrap
