--- How S* candidates are shown in Neovim: one row per candidate (for vim.ui.select and the
--- scratch buffer) with its pass count, group and the line that tells it apart from the others.
--- Pure functions: no server, no buffers.

local C = {}

--- The first statement of a function's body (after its signature and docstring), for a server
--- that does not send `difference`.
local function first_statement(code)
  local lines = vim.split(code or '', '\n', { plain = true })
  local i = 1
  while lines[i] and not lines[i]:match('^%s*async%s+def%s') and not lines[i]:match('^%s*def%s') do
    i = i + 1
  end
  while lines[i] and not lines[i]:match(':%s*$') and not lines[i]:match(':%s*#') do
    i = i + 1
  end
  i = i + 1
  while lines[i] and vim.trim(lines[i]) == '' do
    i = i + 1
  end
  local first = vim.trim(lines[i] or '')
  local quote = first:match('^[rRuU]?(["\'][\"\'][\"\'])')
  if quote then
    local rest = first:sub(first:find(quote, 1, true) + 3)
    if not rest:find(quote, 1, true) then
      i = i + 1
      while lines[i] and not lines[i]:find(quote, 1, true) do
        i = i + 1
      end
    end
    i = i + 1
    while lines[i] and (vim.trim(lines[i]) == '' or vim.trim(lines[i]):match('^#')) do
      i = i + 1
    end
    first = vim.trim(lines[i] or '')
  end
  return first
end

--- One picker row: chosen mark, id, pass count, group, and the line that tells it apart from the
--- other candidates (the server's `difference`: where it departs from the most similar one).
function C.label(c)
  local group = (c.group == nil or c.group == vim.NIL) and '-' or tostring(c.group)
  local line = c.difference
  local where = ''
  if type(line) ~= 'string' then
    line = first_statement(c.code)
  elseif type(c.differenceLine) == 'number' and c.differenceLine > 1 then
    where = string.format('line %d: ', c.differenceLine)
  end
  return string.format('%s%s  %s/%s pass  group %s  %s%s', c.chosen and '* ' or '  ', tostring(c.id),
    tostring(c.passed), tostring(c.total), group, where, line)
end

--- The candidates as markdown lines (one fenced block each).
function C.lines(answer)
  local lines = { '# S* candidates for ' .. tostring(answer.qualname), '' }
  for _, c in ipairs(answer.candidates or {}) do
    table.insert(lines, '## ' .. C.label(c))
    table.insert(lines, '```python')
    vim.list_extend(lines, vim.split(c.code or '', '\n', { trimempty = true }))
    table.insert(lines, '```')
    table.insert(lines, '')
  end
  return lines
end

return C
