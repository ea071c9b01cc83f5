"""Writing results: the results JSON, the terminal, the HTML reports and the exports."""
