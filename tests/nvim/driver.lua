-- Drives a real headless Neovim with the shipped nvim-client (lsp/sstar.lua + lua/sstar) for the
-- pytest tests in this folder:
--
--   nvim --headless --clean -u NONE -l tests/nvim/driver.lua CONFIG.json
--
-- CONFIG: {rtp, file, scenario, out, settings?, python?, cmd?, target?, timeout_ms?}. The chosen
-- scenario runs, then the client is stopped and waited for, and everything observed (buffer lines,
-- progress events, notifications, diagnostics, processes) goes to `out` as JSON for the test to
-- judge. Every wait is `vim.wait` on a condition (it pumps the event loop), never a sleep.

local cfg = vim.json.decode(table.concat(vim.fn.readfile(_G.arg[1]), '\n'))
local timeout = cfg.timeout_ms or 60000

local out = { progress = {}, notes = {}, steps = {}, ok = false }

local function step(name)
  table.insert(out.steps, { name = name, ms = math.floor(vim.uv.hrtime() / 1e6) })
end

-- Every notification (server showMessage, our helpers' messages) is recorded, not displayed.
vim.notify = function(message, level)
  table.insert(out.notes, { message = tostring(message), level = level })
end

--- Wait until `cond()` returns a truthy value (returned); error naming `what` otherwise.
local function wait_for(what, cond, ms)
  local value
  local ok = vim.wait(ms or timeout, function()
    value = cond()
    return value and true or false
  end, 20)
  if not ok then
    error('timed out waiting for ' .. what, 0)
  end
  return value
end

-- /proc: the live descendants of a process, with state, CPU ticks and command line.
local function proc_entry(pid)
  local f = io.open('/proc/' .. pid .. '/stat')
  if not f then
    return nil
  end
  local stat = f:read('*a')
  f:close()
  local rest = stat and stat:match('.*%)%s+(.*)')
  if not rest then
    return nil
  end
  local fields = vim.split(rest, ' ', { plain = true })
  local entry = {
    pid = tonumber(pid),
    state = fields[1],
    ppid = tonumber(fields[2]),
    cpu = (tonumber(fields[12]) or 0) + (tonumber(fields[13]) or 0),
  }
  local c = io.open('/proc/' .. pid .. '/cmdline')
  if c then
    -- nil when the process ended between the two reads
    entry.cmdline = vim.split(c:read('*a') or '', '\0', { plain = true, trimempty = true })
    c:close()
  end
  return entry
end

local function descendants(root)
  local all = {}
  for name in vim.fs.dir('/proc') do
    if name:match('^%d+$') then
      local entry = proc_entry(name)
      if entry and entry.state ~= 'Z' then
        all[entry.pid] = entry
      end
    end
  end
  local found, frontier = {}, { [root] = true }
  while next(frontier) do
    local nxt = {}
    for pid, entry in pairs(all) do
      if frontier[entry.ppid] and not found[pid] then
        found[pid] = entry
        nxt[pid] = true
      end
    end
    frontier = nxt
  end
  return vim.tbl_values(found)
end

local function alive(pid)
  local entry = proc_entry(pid)
  return entry ~= nil and entry.state ~= 'Z'
end

local function server_process()
  for _, entry in ipairs(descendants(vim.fn.getpid())) do
    if vim.list_contains(entry.cmdline or {}, 'lsp_server') then
      return entry
    end
  end
end

-- The client under test, configured the way a user would.
vim.opt.rtp:prepend(cfg.rtp)
vim.cmd('filetype on')
if cfg.python then
  vim.g.sstar_python = cfg.python
end
if cfg.cmd then
  vim.g.sstar_cmd = cfg.cmd
end
local sstar = require('sstar')
sstar.setup({ progress = 'notify' })

local settings = vim.empty_dict()
for key, value in pairs(cfg.settings or {}) do
  settings[key] = value
end
vim.lsp.config('sstar', { settings = { sstar = settings } })
vim.lsp.enable('sstar')

vim.api.nvim_create_autocmd('LspProgress', {
  callback = function(ev)
    local params = ev.data.params
    table.insert(out.progress, {
      token = params.token,
      kind = params.value.kind,
      title = params.value.title,
      message = params.value.message,
      percentage = params.value.percentage,
      ms = math.floor(vim.uv.hrtime() / 1e6),
    })
  end,
})

local function ended(after)
  for i = (after or 0) + 1, #out.progress do
    if out.progress[i].kind == 'end' then
      return out.progress[i]
    end
  end
end

local function stub_lines()
  return vim.api.nvim_buf_get_lines(0, 0, -1, false)
end

local function code_action_titles()
  local params = vim.lsp.util.make_range_params(0, 'utf-16')
  params.context = { diagnostics = {}, only = { 'refactor.rewrite' } }
  local titles = {}
  local answers = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 10000) or {}
  for _, answer in pairs(answers) do
    for _, action in ipairs(answer.result or {}) do
      table.insert(titles, action.title)
    end
  end
  return titles
end

local scenarios = {}

-- The "Solve with S*" code action, applied, then waited for until its progress ends.
function scenarios.solve()
  out.titles = code_action_titles()
  local before = #out.progress
  vim.lsp.buf.code_action({
    apply = true,
    context = { only = { 'refactor.rewrite' }, diagnostics = {} },
    filter = function(action)
      return action.title == (cfg.action_title or 'Solve with S*')
    end,
  })
  step('code action sent')
  out['end'] = wait_for('the solve to end', function()
    return ended(before)
  end)
  step('progress ended')
  out.lines = stub_lines()
  out.modified = vim.bo.modified
  out.diagnostics = vim.tbl_map(function(d)
    return { lnum = d.lnum, message = d.message, source = d.source, severity = d.severity }
  end, vim.diagnostic.get(0))
  if cfg.candidates then
    local answer
    sstar.candidates(function(a)
      answer = a
    end)
    out.candidates = wait_for('the candidates', function()
      return answer
    end, 10000)
  end
  out.titles_after = code_action_titles()
  if cfg.pick_other then
    -- :SStarCandidates as a user would run it, answering its vim.ui.select with a candidate that
    -- was not chosen; its body must replace the one written.
    vim.ui.select = function(items, opts, on_choice)
      out.select_prompt = opts.prompt
      out.select_labels = vim.tbl_map(opts.format_item, items)
      for _, item in ipairs(items) do
        if not item.chosen then
          return on_choice(item)
        end
      end
      on_choice(nil)
    end
    vim.cmd('SStarCandidates')
    out.lines_picked = wait_for('the picked candidate in the buffer', function()
      local lines = vim.api.nvim_buf_get_lines(vim.fn.bufnr(cfg.file), 0, -1, false)
      return not vim.deep_equal(lines, out.lines) and lines
    end, 15000)
  end
end

-- :SStarSolve, wait for the candidate's busy loop to run in the sandbox, :SStarCancel, and check
-- the process that ran it is gone.
function scenarios.cancel()
  local server = wait_for('the server process', server_process, 10000)
  local before = #out.progress
  vim.cmd('SStarSolve')
  wait_for('progress begin', function()
    return out.progress[before + 1]
  end)
  step('progress began')
  -- The candidate is `while True: pass`: the sandbox process running it is the one burning CPU
  -- (a warm sandbox worker uses ~5 ticks; every sandbox process has the marker in its argv).
  local function is_sandbox(entry)
    return table.concat(entry.cmdline or {}, ' '):find('sstar-sandbox', 1, true) ~= nil
  end
  local busy = wait_for('a sandbox child burning CPU', function()
    for _, entry in ipairs(descendants(server.pid)) do
      if is_sandbox(entry) and entry.cpu >= (cfg.busy_ticks or 50) then
        return entry
      end
    end
  end)
  out.busy = busy
  out.jobs_before_cancel = vim.deepcopy(sstar.state.jobs)
  step('busy child found')
  vim.cmd('SStarCancel')
  out['end'] = wait_for('the cancelled solve to end', function()
    return ended(before)
  end, 15000)
  step('progress ended')
  out.busy_gone = vim.wait(10000, function()
    return not alive(busy.pid)
  end, 20)
  step('busy child gone')
  out.jobs_after_cancel = wait_for('an empty job list', function()
    return #sstar.state.jobs == 0 and sstar.state.jobs
  end, 10000)
  out.lines = stub_lines()
  out.left = vim.tbl_filter(function(entry)
    return is_sandbox(entry) and entry.cpu >= (cfg.busy_ticks or 50)
  end, descendants(server.pid))
end

-- Solve, edit the function while the model is still answering (nothing may be overwritten), put
-- the stub back, :SStarApplyLast writes the kept result; then :SStarRegenerate runs once more.
function scenarios.edit_during_solve()
  local before = #out.progress
  vim.lsp.buf.code_action({
    apply = true,
    context = { only = { 'refactor.rewrite' }, diagnostics = {} },
    filter = function(action)
      return action.title == 'Solve with S*'
    end,
  })
  wait_for('sampling to start', function()
    for i = before + 1, #out.progress do
      if (out.progress[i].message or ''):match('^sampling') then
        return true
      end
    end
  end)
  local stub_end = vim.fn.search('^    \\.\\.\\.$', 'nw')
  vim.api.nvim_buf_set_lines(0, stub_end - 1, stub_end - 1, false, { '    # my own note' })
  step('edited during the solve')
  out.end_edited = wait_for('the solve to end', function()
    return ended(before)
  end)
  out.lines_edited = stub_lines()
  vim.api.nvim_buf_set_lines(0, stub_end - 1, stub_end, false, {})
  step('stub restored')
  vim.cmd('SStarApplyLast')
  out.lines = wait_for('the kept result in the buffer', function()
    local text = table.concat(stub_lines(), '\n')
    return text:find('merged', 1, true) and stub_lines()
  end, 10000)
  before = #out.progress
  vim.fn.cursor(vim.fn.search(cfg.target, 'w'), 1)
  vim.cmd('SStarRegenerate 3')
  out.end_regenerated = wait_for('the regenerate to end', function()
    return ended(before)
  end)
  out.lines_regenerated = stub_lines()
end

-- :SStarSolve (the user command, not the code action) on the stub under the cursor.
function scenarios.solve_command()
  local before = #out.progress
  vim.cmd('SStarSolve')
  out['end'] = wait_for('the solve to end', function()
    return ended(before)
  end)
  out.lines = stub_lines()
end

--- Apply the code action whose title starts with `prefix`; the progress end it leads to.
local function run_action(prefix)
  local before = #out.progress
  vim.lsp.buf.code_action({
    apply = true,
    context = { only = { 'refactor.rewrite' }, diagnostics = {} },
    filter = function(action)
      return action.title:sub(1, #prefix) == prefix
    end,
  })
  return wait_for('the solve after "' .. prefix .. '" to end', function()
    return ended(before)
  end)
end

-- Solve; fix a wrong example in the docstring (cfg.fix = {from, to}); solve again from the light
-- bulb ("Solve with S* (N samples)"): the fixed docstring stays, the new body is written.
function scenarios.fix_example()
  out.end_first = run_action('Solve with S*')
  out.lines_first = stub_lines()
  for number, text in ipairs(stub_lines()) do
    if text == cfg.fix[1] then
      vim.api.nvim_buf_set_lines(0, number - 1, number, false, { cfg.fix[2] })
      break
    end
  end
  step('example fixed')
  vim.fn.cursor(vim.fn.search(cfg.target, 'w'), 1)
  out.titles_fixed = code_action_titles()
  out['end'] = run_action('Solve with S* (')
  out.lines = stub_lines()
end

-- Solve; when the server offers a preview (a candidate passes while selection goes on),
-- :SStarAcceptPreview writes it; then the final result arrives.
function scenarios.preview()
  local before = #out.progress
  local offered
  vim.api.nvim_create_autocmd('User', {
    pattern = 'SStarPreview',
    callback = function(ev)
      offered = ev.data
    end,
  })
  vim.lsp.buf.code_action({
    apply = true,
    context = { only = { 'refactor.rewrite' }, diagnostics = {} },
    filter = function(action)
      return action.title == 'Solve with S*'
    end,
  })
  out.preview = wait_for('the preview', function()
    return offered
  end)
  step('preview offered')
  local original = stub_lines()
  vim.cmd('SStarAcceptPreview')
  out.lines_preview = wait_for('the preview in the buffer', function()
    local lines = stub_lines()
    return not vim.deep_equal(lines, original) and lines
  end, 15000)
  out.ended_at_preview = ended(before) ~= nil
  step('preview written')
  out['end'] = wait_for('the solve to end', function()
    return ended(before)
  end)
  out.lines = stub_lines()
end

-- The file was saved (`:write` moves b:changedtick without changing the text: that must not make
-- the server's versions look stale), then the user types above the function at the very moment
-- the server's edit arrives (the driver does it inside the applyEdit handler, before the shipped
-- handler sees the edit): the stale versioned edit is refused, the server rebuilds it for the new
-- text and sends it again.
function scenarios.race()
  vim.api.nvim_buf_set_lines(0, -1, -1, false, { '# saved before the solve' })
  local tick = vim.b.changedtick
  vim.cmd('silent write')
  out.tick_moved_by_write = vim.b.changedtick > tick
  local client = sstar.client(0)
  local shipped = client.handlers['workspace/applyEdit']
  out.edits = {}
  client.handlers['workspace/applyEdit'] = function(err, params, ctx)
    local change = (params.edit.documentChanges or {})[1]
    table.insert(out.edits, { version = change and change.textDocument.version or vim.NIL })
    if #out.edits == 1 then
      vim.api.nvim_buf_set_lines(0, 0, 0, false, { '# typed while the solve ended' })
    end
    local answer = shipped(err, params, ctx)
    out.edits[#out.edits].applied = answer.applied
    return answer
  end
  out['end'] = run_action('Solve with S*')
  out.lines = stub_lines()
end

-- The file was saved before the solve (b:changedtick moved, the text did not): the edit lands.
function scenarios.saved()
  vim.api.nvim_buf_set_lines(0, -1, -1, false, { '# saved before the solve' })
  local tick = vim.b.changedtick
  vim.cmd('silent write')
  out.tick_moved_by_write = vim.b.changedtick > tick
  out['end'] = run_action('Solve with S*')
  out.lines = stub_lines()
  out.modified = vim.bo.modified
end

-- Only start the server; the test looks at which command started which process.
function scenarios.start()
  out.resolved_cmd = vim.lsp.config.sstar.cmd
end

local ok, err = xpcall(function()
  vim.cmd.edit(cfg.file)
  step('opened')
  local client = wait_for('the S* client to initialize', function()
    local c = sstar.client(0)
    return c and c.initialized and c
  end)
  out.client_id = client.id
  out.server = wait_for('the server process', server_process, 10000)
  step('initialized')
  if cfg.target then
    vim.fn.cursor(vim.fn.search(cfg.target, 'w'), 1)
  end
  scenarios[cfg.scenario]()
end, debug.traceback)
out.ok = ok
out.error = not ok and tostring(err) or nil
-- window/showMessage goes to the message history (nvim_echo), not through vim.notify.
out.messages = vim.split(vim.api.nvim_exec2('messages', { output = true }).output, '\n', { trimempty = true })

-- Stop the server the way :lsp stop does and wait for it (and everything it started) to be gone;
-- `stopped` says whether that graceful stop worked. If not, SIGTERM it so no process outlives us.
local before_stop = out.server and descendants(out.server.pid) or {}
local clients = vim.lsp.get_clients({ name = 'sstar' })
for _, client in ipairs(clients) do
  client:stop()
end
out.stopped = vim.wait(cfg.stop_ms or 10000, function()
  return #vim.lsp.get_clients({ name = 'sstar' }) == 0
end, 20)
if not out.stopped then
  for _, client in ipairs(clients) do
    client.rpc.terminate() -- Client:stop(true) does nothing once a stop is under way
  end
end
local watched = vim.list_extend({ out.server }, before_stop)
out.survivors = {}
vim.wait(10000, function()
  out.survivors = vim.tbl_filter(function(entry)
    return entry and alive(entry.pid)
  end, watched)
  return #out.survivors == 0
end, 20)
step('stopped')

vim.fn.writefile({ vim.json.encode(out) }, cfg.out)
