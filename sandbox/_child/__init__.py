"""Code that runs inside sandbox processes (zygote, children, fresh interpreters).

Stdlib only and importable both as `sandbox._child` (parent) and as the top-level package
`_child` (children put the `sandbox/` directory on sys.path so that importing it does not
import the parent-side pool and asyncio). Modules here use relative imports only. The one
exception, `seccomp.build`, runs in the parent only and imports pyseccomp when called.
"""
