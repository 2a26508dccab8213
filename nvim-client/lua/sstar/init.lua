--- S*-LSP helpers for Neovim 0.11+: user commands over the server's `sstar.*` commands, and
--- progress shown from `LspProgress` (Neovim has no cancel button: use :SStarCancel).
---
---   :SStarSolve[!]          solve the stub under the cursor (same as the "Solve with S*" action);
---                           with !, solve the function under the cursor even if it has a body of
---                           yours (the new body replaces it)
---   :SStarRegenerate [N]    solve it again with N samples (default: twice the last), reusing the cache
---   :SStarCancel [jobId]    cancel one job, or every running job
---   :SStarCandidates [id]   list the distinct candidates of the function under the cursor and pick
---                           one to write; with an id, write that candidate
---   :SStarApplyLast         write the last kept result that was not written (e.g. after you edited
---                           the function while it was being solved)
---   :SStarAcceptPreview     write the candidate offered while a solve goes on (it passes the
---                           examples); the final result replaces it only if you leave it as it is
---
--- `require('sstar').setup()` defines them (plugin/sstar.lua does it on startup);
--- `require('sstar').statusline()` is a short text for the statusline.

local M = {}

M.name = 'sstar' -- the client name, as in lsp/sstar.lua

--- What the server last told us. `jobs` comes from the `sstar/status` notification; `progress`
--- holds the latest `$/progress` value per token; `last_result` the last command's answer.
M.state = { backend = nil, jobs = {}, progress = {}, last_result = nil, previews = {} }

local defaults = {
  progress = 'echo', -- 'echo' (no history), 'notify' (vim.notify every report) or false
}
M.options = vim.deepcopy(defaults)

--- The S* client attached to `bufnr` (else any S* client).
--- @param bufnr integer?
--- @return vim.lsp.Client?
function M.client(bufnr)
  local clients = vim.lsp.get_clients({ name = M.name, bufnr = bufnr })
  if #clients == 0 and bufnr then
    clients = vim.lsp.get_clients({ name = M.name })
  end
  return clients[1]
end

local function notify(message, level)
  vim.notify('S*: ' .. message, level or vim.log.levels.INFO)
end

--- Run one server command; `on_result(err, result)` gets the answer (after our own message).
--- @param command string e.g. 'sstar.solve'
--- @param args table the command's single argument object
--- @param bufnr integer?
--- @param on_result fun(err: lsp.ResponseError?, result: any)?
--- @return boolean sent
function M.execute(command, args, bufnr, on_result)
  local client = M.client(bufnr)
  if not client then
    notify('the S* language server is not running for this buffer; open a Python file with '
      .. "vim.lsp.enable('sstar') in your config (see :checkhealth vim.lsp)", vim.log.levels.ERROR)
    return false
  end
  local params = { command = command, arguments = { args } }
  client:request('workspace/executeCommand', params, function(err, result)
    M.state.last_result = result
    if err then
      notify(command .. ' failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    if on_result then
      on_result(err, result)
    end
  end, bufnr)
  return true
end

--- `{uri, version, position}` of the cursor in the current window, in the client's encoding.
local function here(bufnr)
  local client = M.client(bufnr)
  local encoding = client and client.offset_encoding or 'utf-16'
  local params = vim.lsp.util.make_position_params(0, encoding)
  return {
    uri = params.textDocument.uri,
    version = vim.lsp.util.buf_versions[bufnr],
    position = params.position,
  }
end

local function started(label)
  return function(err, result)
    if err or type(result) ~= 'table' then
      return
    end
    if result.jobId and result.jobId ~= vim.NIL then
      M.state.last_job = result.jobId
      notify(label .. ' started (' .. result.jobId .. '); :SStarCancel stops it')
    end
  end
end

--- Solve the stub under the cursor (`force`: the function under the cursor, whatever its body).
function M.solve(on_result, force)
  local bufnr = vim.api.nvim_get_current_buf()
  local done = started('solve')
  local args = here(bufnr)
  args.force = force or nil
  return M.execute('sstar.solve', args, bufnr, function(err, result)
    done(err, result)
    if on_result then
      on_result(err, result)
    end
  end)
end

--- Solve the function under the cursor again with more samples (`samples` or twice the last).
function M.regenerate(samples, on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local args = here(bufnr)
  args.version = nil
  args.samples = samples
  local done = started('regenerate')
  return M.execute('sstar.regenerate', args, bufnr, function(err, result)
    done(err, result)
    if on_result then
      on_result(err, result)
    end
  end)
end

--- Cancel job `job_id`, or all running jobs when it is nil.
function M.cancel(job_id, on_result)
  local args = job_id and { jobId = job_id } or vim.empty_dict()
  return M.execute('sstar.cancel', args, vim.api.nvim_get_current_buf(), function(err, result)
    if not err and type(result) == 'table' then
      local ids = result.cancelled or {}
      notify(#ids == 0 and 'nothing to cancel' or ('cancelled ' .. table.concat(ids, ', ')))
    end
    if on_result then
      on_result(err, result)
    end
  end)
end

--- Write the last kept result that was not written.
function M.apply_last(on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  return M.execute('sstar.applyLast', { uri = vim.uri_from_bufnr(bufnr) }, bufnr, on_result)
end

--- Write candidate `id` of function `qualname`.
function M.apply_candidate(qualname, id, on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local args = { uri = vim.uri_from_bufnr(bufnr), qualname = qualname, candidateId = id }
  return M.execute('sstar.applyCandidate', args, bufnr, on_result)
end

local candidates = require('sstar.candidates')
local candidate_label = candidates.label
M.candidate_label = candidates.label
M.candidate_lines = candidates.lines

local function show_scratch(lines)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].filetype = 'markdown'
  vim.bo[buf].modifiable = false
  vim.cmd('botright split')
  vim.api.nvim_win_set_buf(0, buf)
  return buf
end

--- Fetch the candidates of the function under the cursor; without `pick`, show them in a scratch
--- buffer and offer vim.ui.select to write one; `pick(answer)` replaces that interaction.
function M.candidates(pick)
  local bufnr = vim.api.nvim_get_current_buf()
  local args = here(bufnr)
  args.version = nil
  return M.execute('sstar.showCandidates', args, bufnr, function(err, answer)
    if err or type(answer) ~= 'table' then
      return
    end
    if pick then
      return pick(answer)
    end
    if #(answer.candidates or {}) == 0 then
      return
    end
    local source_win = vim.api.nvim_get_current_win()
    show_scratch(M.candidate_lines(answer))
    vim.ui.select(answer.candidates, {
      prompt = 'Write which candidate into ' .. tostring(answer.qualname) .. '?',
      format_item = candidate_label,
    }, function(choice)
      if choice and vim.api.nvim_win_is_valid(source_win) then
        vim.api.nvim_set_current_win(source_win)
        M.apply_candidate(answer.qualname, choice.id)
      end
    end)
  end)
end

--- Write the preview of job `job_id` (default: the latest one offered for this buffer).
function M.accept_preview(job_id, on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local args = { uri = vim.uri_from_bufnr(bufnr), jobId = job_id }
  if not job_id then
    local latest = M.latest_preview(args.uri)
    args.jobId = latest and latest.jobId or nil
    if not latest then
      args.uri = nil -- any preview the server still offers
    end
  end
  return M.execute('sstar.acceptPreview', args, bufnr, on_result)
end

--- The latest preview offered (for document `uri`), or nil.
function M.latest_preview(uri)
  local best
  for _, preview in pairs(M.state.previews) do
    local same = uri == nil or preview.uri == uri or vim.uri_to_fname(preview.uri) == vim.uri_to_fname(uri)
    if same and (best == nil or preview.seq > best.seq) then
      best = preview
    end
  end
  return best
end

local preview_seq = 0

--- `sstar/preview` handler: a candidate of a running solve passes the examples.
function M.on_preview(result, _)
  if type(result) ~= 'table' or not result.jobId then
    return
  end
  preview_seq = preview_seq + 1
  result.seq = preview_seq
  M.state.previews[tostring(result.jobId)] = result
  notify(string.format('%s: a candidate passes %s/%s examples while selection goes on; '
    .. ':SStarAcceptPreview writes it now', tostring(result.qualname), tostring(result.passed),
    tostring(result.total)))
  vim.api.nvim_exec_autocmds('User', { pattern = 'SStarPreview', modeline = false, data = result })
end

--- `sstar/status` handler (lsp/sstar.lua routes it here).
function M.on_status(result, _)
  if type(result) ~= 'table' then
    return
  end
  M.state.backend = result.backend
  M.state.jobs = result.jobs or {}
  local running = {}
  for _, job in ipairs(M.state.jobs) do
    running[tostring(job.jobId)] = true
  end
  for id in pairs(M.state.previews) do
    if not running[id] then
      M.state.previews[id] = nil -- its solve ended: the final result is there
    end
  end
  vim.api.nvim_exec_autocmds('User', { pattern = 'SStarStatus', modeline = false, data = result })
end

--- e.g. "S* merge_intervals: sampling 3/8" or "" when nothing runs.
function M.statusline()
  local jobs = M.state.jobs or {}
  if #jobs == 0 then
    return ''
  end
  local job = jobs[#jobs]
  local latest = M.state.progress['sstar/' .. tostring(job.jobId)]
  local detail = latest and latest.message or job.stage
  local more = #jobs > 1 and string.format(' (+%d)', #jobs - 1) or ''
  return string.format('S* %s: %s%s', tostring(job.qualname), tostring(detail), more)
end

local function on_progress(ev)
  local client = vim.lsp.get_client_by_id(ev.data.client_id)
  if not client or client.name ~= M.name then
    return
  end
  local params = ev.data.params or {}
  local value = params.value
  if type(value) ~= 'table' then
    return
  end
  local token = tostring(params.token)
  local entry = M.state.progress[token] or {}
  entry.title = value.title or entry.title
  entry.kind = value.kind
  entry.message = value.message or entry.message
  entry.percentage = value.percentage or entry.percentage
  M.state.progress[token] = entry
  local text = string.format('%s: %s', entry.title or 'S*', entry.message or '')
  if entry.percentage and value.kind ~= 'end' then
    text = string.format('[%3d%%] %s', entry.percentage, text)
  end
  if value.kind == 'end' then
    M.state.progress[token] = nil
    if M.options.progress then
      vim.notify(text, vim.log.levels.INFO) -- the summary stays in :messages
    end
  elseif M.options.progress == 'notify' then
    vim.notify(text, vim.log.levels.INFO)
  elseif M.options.progress == 'echo' then
    -- cut to the space left on the command line: a longer echo would ask to "Press ENTER"
    vim.api.nvim_echo({ { text:sub(1, math.max(vim.v.echospace, 10)) } }, false, {})
  end
end

local function job_ids()
  return vim.tbl_map(function(job)
    return tostring(job.jobId)
  end, M.state.jobs or {})
end

--- Define the user commands and the progress display (idempotent).
--- @param opts {progress?: 'echo'|'notify'|false}?
function M.setup(opts)
  M.options = vim.tbl_extend('force', vim.deepcopy(defaults), opts or {})
  local group = vim.api.nvim_create_augroup('sstar', { clear = true })
  vim.api.nvim_create_autocmd('LspProgress', { group = group, callback = on_progress })

  local command = vim.api.nvim_create_user_command
  command('SStarSolve', function(a)
    M.solve(nil, a.bang)
  end, { bang = true, desc = 'S*: solve the stub under the cursor (!: whatever body the function has)' })
  command('SStarRegenerate', function(a)
    local samples = tonumber(a.args)
    if a.args ~= '' and not samples then
      return notify(':SStarRegenerate takes a number of samples, e.g. :SStarRegenerate 16', vim.log.levels.ERROR)
    end
    M.regenerate(samples)
  end, { nargs = '?', desc = 'S*: solve again with more samples (default 2x), reusing the cache' })
  command('SStarCancel', function(a)
    M.cancel(a.args ~= '' and a.args or nil)
  end, { nargs = '?', complete = job_ids, desc = 'S*: cancel a job (default: all running jobs)' })
  command('SStarCandidates', function(a)
    if a.args == '' then
      return M.candidates()
    end
    M.candidates(function(answer)
      M.apply_candidate(answer.qualname, a.args)
    end)
  end, { nargs = '?', desc = 'S*: list the candidates of the function under the cursor; pick one' })
  command('SStarApplyLast', function()
    M.apply_last()
  end, { desc = 'S*: write the last kept result that was not written' })
  command('SStarAcceptPreview', function(a)
    M.accept_preview(a.args ~= '' and a.args or nil)
  end, { nargs = '?', complete = job_ids, desc = 'S*: write the candidate offered while a solve goes on' })
end

return M
