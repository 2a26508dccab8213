-- Defines the :SStar* commands and the progress display once nvim-client/ is on the runtimepath.
-- The language server itself starts with vim.lsp.enable('sstar') (see lsp/sstar.lua).
if vim.g.loaded_sstar or vim.fn.has('nvim-0.11') == 0 then
  return
end
vim.g.loaded_sstar = true
require('sstar').setup(vim.g.sstar_options)
