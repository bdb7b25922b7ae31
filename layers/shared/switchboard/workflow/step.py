"""What every workflow-state handler shares: Powertools decorators with the case id as the
correlation id, and parsing the state input into a model."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ..domain.models import StateInput
from ..observability import logger, metrics, tracer


def workflow_step(
    step: Callable[[StateInput, Any], BaseModel | dict[str, Any]],
) -> Callable[[dict[str, Any], Any], Any]:
    """Wrap `step(state, context)`; its pydantic result is answered as plain JSON."""

    @functools.wraps(step)
    def handler(event: dict[str, Any], context: Any) -> Any:
        state = StateInput.model_validate(event)
        logger.set_correlation_id(state.caseId)
        result = step(state, context)
        return result.model_dump(mode="json") if isinstance(result, BaseModel) else result

    return metrics.log_metrics(tracer.capture_lambda_handler(logger.inject_lambda_context(handler)))
