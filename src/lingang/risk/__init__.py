"""Risk engine (风险引擎): rules over declarations, scored and folded into assessments."""
