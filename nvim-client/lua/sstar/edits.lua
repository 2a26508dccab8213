--- Versioned edits in Neovim. S*'s `workspace/applyEdit` carries the version of the document the
--- edit was computed for; it is applied only if the buffer's *text* has not changed since that
--- version, else refused (as VS Code does), and the server builds it again for the new text.
---
--- Neovim's versions are `b:changedtick`, which also moves without any text change (`:write`
--- bumps it): comparing with it would refuse every edit after a save, and Neovim's own
--- `apply_text_document_edit` skips such an edit silently while answering `applied = true`. So
--- the tick of each buffer's last *text* change is recorded (`nvim_buf_attach` `on_lines`), an
--- edit is stale only when the text changed after the version it names, and a fresh one is
--- applied here with `apply_text_edits` (no second version check).

local E = {}

local text_ticks = {} --- bufnr -> changedtick of its last text change

--- Follow `bufnr`'s text changes (idempotent; stops when the buffer is unloaded).
function E.track(bufnr)
  if text_ticks[bufnr] ~= nil or not vim.api.nvim_buf_is_loaded(bufnr) then
    return
  end
  -- the client sent the buffer's text with didOpen just before LspAttach: no change since yet
  text_ticks[bufnr] = 0
  vim.api.nvim_buf_attach(bufnr, false, {
    on_lines = function(_, buf, tick)
      text_ticks[buf] = tick
    end,
    on_reload = function(_, buf)
      text_ticks[buf] = vim.api.nvim_buf_get_changedtick(buf)
    end,
    on_detach = function(_, buf)
      text_ticks[buf] = nil
    end,
  })
end

--- Why the versioned `edit` (a WorkspaceEdit) no longer fits its buffers, or nil.
function E.stale(edit)
  for _, change in ipairs(edit.documentChanges or {}) do
    local doc = change.textDocument
    if doc then
      local bufnr = vim.uri_to_bufnr(doc.uri)
      if not vim.api.nvim_buf_is_loaded(bufnr) then
        return 'the document is not loaded'
      end
      local since = text_ticks[bufnr] or vim.api.nvim_buf_get_changedtick(bufnr)
      if type(doc.version) == 'number' and since > doc.version then
        return 'document version changed'
      end
    end
  end
  return nil
end

--- The `workspace/applyEdit` handler for the S* client.
function E.apply(err, params, ctx)
  local edit = params and params.edit
  local changes = edit and edit.documentChanges
  if not changes then
    return vim.lsp.handlers['workspace/applyEdit'](err, params, ctx)
  end
  for _, change in ipairs(changes) do
    if change.kind ~= nil then -- create/rename/delete: S* sends none; Neovim knows how
      return vim.lsp.handlers['workspace/applyEdit'](err, params, ctx)
    end
  end
  local stale = E.stale(edit)
  if stale then
    return { applied = false, failureReason = stale }
  end
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local encoding = client and client.offset_encoding or 'utf-16'
  local ok, failure = pcall(function()
    for _, change in ipairs(changes) do
      vim.lsp.util.apply_text_edits(change.edits, vim.uri_to_bufnr(change.textDocument.uri), encoding)
    end
  end)
  return { applied = ok, failureReason = not ok and tostring(failure) or nil }
end

return E
