"""Loading an assignment folder: its spec, case bank, strategies and catalogue; which assignment a file is."""
