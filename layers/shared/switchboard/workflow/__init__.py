"""One module per stage of the case workflow (statemachine/case_workflow.asl.json): verify, classify,
resolve, escalate, notify; `step` is the decorator every state's handler wears."""
