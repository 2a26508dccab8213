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

local function sstar_module()
  local ok, sstar = pcall(require, 'sstar')
  return ok and sstar or nil
end

--- Versioned edits, refused when the buffer's text changed since their version (so the server
--- rebuilds them for the new text): lua/sstar/edits.lua. Buffers are followed from attach on.
local function apply_edit(err, params, ctx)
  return require('sstar.edits').apply(err, params, ctx)
end

vim.api.nvim_create_autocmd('LspAttach', {
  group = vim.api.nvim_create_augroup('sstar_edits', { clear = true }),
  callback = function(ev)
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    if client and client.name == 'sstar' then
      require('sstar.edits').track(ev.buf)
    end
  end,
})

--- The server's messages start with "S*:" already: show them with vim.notify (so notification
--- plugins show them too) rather than as "LSP[sstar][Info] S*: ...".
local function show_message(_, params, _)
  local levels = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.DEBUG }
  if params and params.message then
    vim.notify(params.message, levels[params.type] or vim.log.levels.INFO)
  end
  return vim.NIL
end

--- @type vim.lsp.Config
return {
  cmd = server_cmd(),
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', '.git' },
  settings = { sstar = vim.empty_dict() },
  -- versioned edits, checked by `apply_edit` above: typing while a solve ends never misplaces one
  capabilities = { workspace = { workspaceEdit = { documentChanges = true } } },
  handlers = {
    ['workspace/applyEdit'] = apply_edit,
    ['window/showMessage'] = show_message,
    -- The server's own notifications: which jobs run and at which stage (for the statusline),
    -- and the early preview of a candidate that passes the examples (:SStarAcceptPreview).
    ['sstar/status'] = function(_, result, ctx)
      local sstar = sstar_module()
      if sstar then
        sstar.on_status(result, ctx)
      end
    end,
    ['sstar/preview'] = function(_, result, ctx)
      local sstar = sstar_module()
      if sstar then
        sstar.on_preview(result, ctx)
      end
    end,
  },
}
