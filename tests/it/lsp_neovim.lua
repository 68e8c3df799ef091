-- A real client for `guidelang lsp`: headless Neovim (Debian's 0.7, hence
-- `vim.lsp.start_client`) opens a guideline with a misspelt fact, waits for
-- the diagnostics, hovers a fact, asks for the code actions of the
-- diagnostic and applies the first quick fix (or, when none is offered,
-- corrects the word itself, so that the server still sees a real edit),
-- waits for the diagnostics of the corrected text, and writes everything it
-- saw as JSON for tests/it/lsp_neovim.rs to check.
--
-- Inputs, from the environment: GUIDELANG_BIN (the executable), GL_FILE (the
-- guideline), GL_OUT (the JSON written), GL_HOVER_LINE and GL_HOVER_COL (a
-- fact's position, zero-based, UTF-16), GL_WRONG and GL_RIGHT (the misspelt
-- word and its correction).

local function env(name)
  local value = os.getenv(name)
  assert(value, name .. ' is not set')
  return value
end
local bin, file, out = env('GUIDELANG_BIN'), env('GL_FILE'), env('GL_OUT')
local report = { steps = {} }

local function step(name) table.insert(report.steps, name) end

local function finish(failure)
  report.failure = failure
  vim.fn.writefile({ vim.fn.json_encode(report) }, out)
  vim.cmd(failure and 'cquit!' or 'qall!')
end

-- Any Lua error still writes the report, so the Rust side can say what happened.
local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  local published = {}
  local client_id = vim.lsp.start_client({
    name = 'guidelang',
    cmd = { bin, 'lsp' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    handlers = {
      ['textDocument/publishDiagnostics'] = function(e, result, ctx, config)
        table.insert(published, result)
        return vim.lsp.diagnostic.on_publish_diagnostics(e, result, ctx, config)
      end,
    },
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(buf, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  step('attached')

  -- The diagnostics of the misspelt fact.
  local first
  assert(vim.wait(30000, function()
    for _, p in ipairs(published) do
      if #p.diagnostics > 0 then first = p return true end
    end
    return false
  end, 20), 'no diagnostics within 30 s')
  report.published = first
  report.shown = vim.diagnostic.get(buf)
  step('diagnostics')

  -- Hover a fact.
  local position = { line = tonumber(env('GL_HOVER_LINE')), character = tonumber(env('GL_HOVER_COL')) }
  local hover = client.request_sync('textDocument/hover', { textDocument = { uri = uri }, position = position }, 10000, buf)
  report.hover = hover and { result = hover.result, err = hover.err }
  step('hover')

  -- The code actions of the diagnostic, and the first quick fix applied.
  local d = first.diagnostics[1]
  local actions = client.request_sync('textDocument/codeAction', {
    textDocument = { uri = uri },
    range = d.range,
    context = { diagnostics = { d } },
  }, 10000, buf)
  report.actions = actions and { result = actions.result, err = actions.err }
  local fix
  for _, a in ipairs((actions and actions.result) or {}) do
    if a.edit then fix = a break end
  end
  local seen = #published
  if fix then
    vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
    report.applied = fix.title
  else
    -- No quick fix on offer (the Rust test then fails): correct the word by
    -- hand, so that the other checks still say what they can.
    local s, e = d.range.start, d.range['end']
    vim.api.nvim_buf_set_text(buf, s.line, s.character, e.line, e.character, { env('GL_RIGHT') })
    report.applied = vim.NIL
  end
  step('edited')

  -- The server hears of the edit as an incremental change and says the text is clean.
  assert(vim.wait(30000, function()
    for i = seen + 1, #published do
      if #published[i].diagnostics == 0 then report.after = published[i] return true end
    end
    return false
  end, 20), 'no clean diagnostics within 30 s of the edit')
  step('clean')

  report.buffer = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
  client.stop()
  vim.wait(5000, function() return client.is_stopped() end, 20)
  step('stopped')
end)

finish(not ok and tostring(err) or nil)
