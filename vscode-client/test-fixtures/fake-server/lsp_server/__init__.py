"""A throwaway stand-in for the real S* server, used only by the VS Code client's e2e test.

It shadows the real `lsp_server` when its parent directory is on PYTHONPATH. It offers the
"Solve with S*" code action on stubs, runs `sstar.solve` as a cancellable progress job that
applies a fixed body, and records what it received (initializationOptions, configuration,
cancellations) as JSON lines in $SSTAR_FAKE_LOG so the test can assert on them.
"""
