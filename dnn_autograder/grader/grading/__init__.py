"""The grading stages: cases and expected outputs, running and judging each case, diagnosis, messages."""
