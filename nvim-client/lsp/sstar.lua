-- S*-LSP for Neovim 0.11+: `vim.lsp.enable('sstar')` with nvim-client/ on the runtimepath.
--
-- The server is `python -m lsp_server` from the environment where sstar-lsp is installed. Which
-- command starts it, first match wins (resolved when this file is first loaded, i.e. when the
-- first Python buffer opens):
--   1. vim.g.sstar_cmd      a list, e.g. { '/path/to/venv/bin/python', '-m', 'lsp_server' }
--   2. vim.g.sstar_python   an interpreter path: { python, '-m', 'lsp_server' }
--   3. `sstar` on PATH      { 'sstar', 'serve' } (it execs `python -m lsp_server` of its own venv)
--   4. $VIRTUAL_ENV/bin/python, if a virtualenv is active
--   5. { 'python3', '-m', 'lsp_server' }
-- or override the whole thing: vim.lsp.config('sstar', { cmd = { ... } }).
--
-- Settings are the same camelCase keys as in VS Code, under `sstar` (answered to the server's
-- workspace/configuration requests), e.g.
--   vim.lsp.config('sstar', { settings = { sstar = { baseUrl = 'http://127.0.0.1:8080/v1',
--                                                     samples = 4 } } })
-- An empty `baseUrl` (the default) uses the embedded local model.

local function executable(path)
  return type(path) == 'string' and path ~= '' and vim.fn.executable(path) == 1
end

--- The command that starts the server (see the top of this file for the order).
--- @return string[]
local function server_cmd()
  local cmd = vim.g.sstar_cmd
  if type(cmd) == 'table' and #cmd > 0 then
    return vim.deepcopy(cmd)
  end
  local python = vim.g.sstar_python
  if type(python) == 'string' and python ~= '' then
    return { python, '-m', 'lsp_server' }
  end
  if executable('sstar') then
    return { 'sstar', 'serve' }
  end
  local venv = vim.env.VIRTUAL_ENV
  if venv and executable(venv .. '/bin/python') then
    return { venv .. '/bin/python', '-m', 'lsp_server' }
  end
  return { 'python3', '-m', 'lsp_server' }
end

--- @type vim.lsp.Config
return {
  cmd = server_cmd(),
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', '.git' },
  settings = { sstar = vim.empty_dict() },
  handlers = {
    -- The server's own notification: which jobs run and at which stage (for the statusline).
    ['sstar/status'] = function(_, result, ctx)
      local ok, sstar = pcall(require, 'sstar')
      if ok then
        sstar.on_status(result, ctx)
      end
    end,
  },
}
