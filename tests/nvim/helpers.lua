-- The pure parts of lua/sstar (no server): the statusline from `sstar/status` and `$/progress`,
-- the candidates listing, and the user commands setup() defines. Writes what it saw as JSON.
--   nvim --headless --clean -u NONE -l tests/nvim/helpers.lua RTP OUT
local rtp, out_path = _G.arg[1], _G.arg[2]
vim.opt.rtp:prepend(rtp)
local sstar = require('sstar')
sstar.setup({ progress = false })
local out = {}

out.idle = sstar.statusline()
local fired = 0
vim.api.nvim_create_autocmd('User', {
  pattern = 'SStarStatus',
  callback = function()
    fired = fired + 1
  end,
})
sstar.on_status({
  backend = 'embedded qwen2.5-coder-0.5b',
  running = 2,
  jobs = { { jobId = 'job-1', qualname = 'a', stage = 'sampling' }, { jobId = 'job-2', qualname = 'Box.b', stage = 'starting' } },
}, {})
out.fired = fired
out.by_stage = sstar.statusline()
sstar.state.progress['sstar/job-2'] = { message = 'sampling 3/8' }
out.by_progress = sstar.statusline()
out.backend = sstar.state.backend

out.lines = sstar.candidate_lines({
  qualname = 'f',
  candidates = {
    { id = 'ab12', code = 'def f(x):\n    return x + 1\n', passed = 3, total = 3, group = 0, chosen = true },
    { id = 'cd34', code = 'def f(x):\n    return 1 + x\n', passed = 2, total = 3, group = 1, chosen = false },
  },
})
out.commands = vim.tbl_keys(vim.api.nvim_get_commands({}))
table.sort(out.commands)
vim.fn.writefile({ vim.json.encode(out) }, out_path)
