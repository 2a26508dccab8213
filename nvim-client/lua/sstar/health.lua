--- :checkhealth sstar: the Neovim version, the server command lsp/sstar.lua resolved, whether that
--- Python can import the server, and whether a client runs for the current buffer.
local M = {}

function M.check()
  local health = vim.health
  health.start('S*-LSP')
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error('Neovim 0.11 or newer is needed (vim.lsp.config / vim.lsp.enable)')
    return
  end

  local config = vim.lsp.config.sstar
  local cmd = config and config.cmd
  if type(cmd) ~= 'table' or #cmd == 0 then
    health.error('no server command: is nvim-client/ on the runtimepath (lsp/sstar.lua)?')
    return
  end
  health.info('server command: ' .. table.concat(cmd, ' '))
  if vim.fn.executable(cmd[1]) == 0 then
    health.error(cmd[1] .. ' is not executable', {
      'set vim.g.sstar_python to the python of the environment where sstar-lsp is installed',
      "or vim.lsp.config('sstar', { cmd = { ... } })",
    })
    return
  end
  if cmd[2] == '-m' and cmd[3] == 'lsp_server' then
    local probe = vim.system({ cmd[1], '-c', 'import lsp_server.server' }, { text = true }):wait(30000)
    if probe.code == 0 then
      health.ok(cmd[1] .. ' can import lsp_server')
    else
      health.error(cmd[1] .. ' cannot import lsp_server: ' .. vim.trim(probe.stderr or ''), {
        'install sstar-lsp into that environment (pip install -e /path/to/sstar-lsp)',
      })
    end
  end

  local client = require('sstar').client(vim.api.nvim_get_current_buf())
  if client then
    health.ok(string.format('client %d runs (%s)', client.id, require('sstar').state.backend or 'backend not reported yet'))
  else
    health.info("no S* client for this buffer: open a Python file after vim.lsp.enable('sstar')")
  end
end

return M
