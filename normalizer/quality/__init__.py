"""Rule-set quality tools: lint, diff, suites, JUnit reports, the pytest plugin.

They use the domain (simulator, engine, models) and the pattern analyses of
`dotnet`; the domain never imports them. `isolation` runs analyses that no
timeout inside Python can stop in a child process with a time limit.
"""
