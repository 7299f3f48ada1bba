-- The first filter of the edge, both ways.
-- Request: drops one trailing slash (the seed's paths end in "/", the http rule grammar forbids it)
-- and every x-erp-* header a client sent: the edge's own namespace. Only what the edge sets after
-- this filter reaches a service: jwt_authn's verified x-erp-user-id/-username (and x-erp-token-type,
-- which envoy.yaml.tmpl's not-an-access-token route reads), and the route's x-erp-edge-auth,
-- x-erp-client-ip and x-erp-user-agent (absent when the client sent no User-Agent).
-- Response: gives every transcoded gRPC error the body
-- {"code": <http>, "status": "<GRPC_CODE>", "message": ..., "details": [...]}, turns
-- google.rpc.RetryInfo into a Retry-After header, and keeps grpc-* headers off REST responses.
local GRPC_NAMES = {
  [0] = "OK", [1] = "CANCELLED", [2] = "UNKNOWN", [3] = "INVALID_ARGUMENT",
  [4] = "DEADLINE_EXCEEDED", [5] = "NOT_FOUND", [6] = "ALREADY_EXISTS",
  [7] = "PERMISSION_DENIED", [8] = "RESOURCE_EXHAUSTED", [9] = "FAILED_PRECONDITION",
  [10] = "ABORTED", [11] = "OUT_OF_RANGE", [12] = "UNIMPLEMENTED", [13] = "INTERNAL",
  [14] = "UNAVAILABLE", [15] = "DATA_LOSS", [16] = "UNAUTHENTICATED",
}

-- Token failures read the same whichever part refuses the token: the message and ErrorInfo reason
-- of erp_common/errors.py TOKEN_FAILURES (tests/unit/test_token_failure_copies.py keeps this copy equal),
-- instead of jwt_authn's own sentences ("Jwt is missing", "Jwt verification fails", ...).
local ERROR_DOMAIN = "erp.local"
local TOKEN_FAILURES = {
  TOKEN_MISSING = "authentication credentials were not provided",
  TOKEN_INVALID = "invalid token",
  TOKEN_EXPIRED = "token expired",
  TOKEN_WRONG_TYPE = "token has the wrong type",
  SESSION_REVOKED = "session revoked",
}
-- jwt_authn's sentences with a reason of their own; any other 401 of Envoy's is an invalid token.
local JWT_AUTHN_REASONS = {
  ["Jwt is missing"] = "TOKEN_MISSING",
  ["Jwt is expired"] = "TOKEN_EXPIRED",
}

local function token_failure_reason(message)
  for reason, text in pairs(TOKEN_FAILURES) do
    if text == message then return reason end
  end
  return JWT_AUTHN_REASONS[message] or "TOKEN_INVALID"
end

-- google.rpc.Status{code: 16, message, details: [Any(ErrorInfo{reason, domain})]} in protobuf wire
-- form, base64: the grpc-status-details-bin of a native gRPC caller.
local function varint(n)
  local out = ""
  while n >= 128 do
    out = out .. string.char(n % 128 + 128)
    n = math.floor(n / 128)
  end
  return out .. string.char(n)
end

local function bytes_field(number, value)
  return string.char(number * 8 + 2) .. varint(#value) .. value
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = string.byte(data, i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = 4 - (b == nil and 2 or (c == nil and 1 or 0))
    for k = 1, 4 do
      local index = math.floor(n / 64 ^ (4 - k)) % 64 + 1
      out[#out + 1] = k <= chars and string.sub(B64, index, index) or "="
    end
  end
  return table.concat(out)
end

local function status_details_bin(reason)
  local info = bytes_field(1, reason) .. bytes_field(2, ERROR_DOMAIN)
  local any = bytes_field(1, "type.googleapis.com/google.rpc.ErrorInfo") .. bytes_field(2, info)
  return base64("\8\16" .. bytes_field(2, TOKEN_FAILURES[reason]) .. bytes_field(3, any))
end

local function token_failure_json(reason)
  return '{"code":401,"status":"UNAUTHENTICATED","message":"' .. TOKEN_FAILURES[reason] ..
    '","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"' .. reason ..
    '","domain":"' .. ERROR_DOMAIN .. '","metadata":{}}]}'
end

function envoy_on_request(handle)
  local headers = handle:headers()
  local sent = {}
  for name, _ in pairs(headers) do
    if string.sub(string.lower(name), 1, 6) == "x-erp-" then sent[#sent + 1] = name end
  end
  for _, name in ipairs(sent) do headers:remove(name) end
  -- The auth scheme is case-insensitive (RFC 7235 2.1), as in the services and the gateway, but
  -- jwt_authn finds only "Bearer ": "bearer <token>" would be refused at this edge alone.
  local auth = headers:get("authorization")
  if auth ~= nil and string.sub(auth, 1, 7) ~= "Bearer " and string.lower(string.sub(auth, 1, 7)) == "bearer " then
    headers:replace("authorization", "Bearer " .. string.sub(auth, 8))
  end
  -- gRPC metadata keys are [0-9a-z_.-] only. The transcoder passes every request header on as
  -- metadata, and a service refuses a call carrying any other key with INTERNAL (a 500 here, seen by
  -- the schema fuzzer). Such a header means nothing to the services (the gateway forwards none of
  -- them either), so it is dropped.
  local illegal = {}
  for key, _ in pairs(headers) do
    if string.sub(key, 1, 1) ~= ":" and string.find(key, "^[0-9a-z_.%-]+$") == nil then
      illegal[#illegal + 1] = key
    end
  end
  for _, key in ipairs(illegal) do headers:remove(key) end
  local path = headers:get(":path")
  if path == nil then return end
  local base, query = string.match(path, "^([^?]*)(.*)$")
  if base == "/api/master/changes" or base == "/api/master/changes/" then
    handle:streamInfo():dynamicMetadata():set("erp.edge", "ndjson", "1")
  end
  if #base > 1 and string.sub(base, -1) == "/" and string.sub(base, 1, 10) ~= "/api/docs/" then
    headers:replace(":path", string.sub(base, 1, -2) .. query)
    handle:clearRouteCache()
  end
end

function envoy_on_response(handle)
  local headers = handle:headers()
  local ctype = headers:get("content-type") or ""
  if string.sub(ctype, 1, 16) == "application/grpc" then
    -- Envoy's own refusal of a native gRPC call (no details yet); a service's carries its own.
    if headers:get("grpc-status") == "16" and headers:get("grpc-status-details-bin") == nil then
      local message = string.gsub(headers:get("grpc-message") or "", "%%(%x%x)",
        function(hex) return string.char(tonumber(hex, 16)) end)
      local reason = token_failure_reason(message)
      headers:replace("grpc-message", TOKEN_FAILURES[reason])
      headers:replace("grpc-status-details-bin", status_details_bin(reason))
    end
    return
  end
  headers:remove("grpc-status")
  headers:remove("grpc-message")
  headers:remove("grpc-accept-encoding")
  local status = tonumber(headers:get(":status") or "200")
  -- The change feed's stream (stream_newline_delimited in envoy.yaml.tmpl); its errors stay JSON.
  local edge = handle:streamInfo():dynamicMetadata():get("erp.edge")
  if status == 200 and edge ~= nil and edge["ndjson"] == "1" then
    headers:replace("content-type", "application/x-ndjson")
  end
  if status < 400 or string.find(ctype, "application/json", 1, true) == nil then return end
  local body = handle:body()
  if body == nil then return end
  local text = body:getBytes(0, body:length())
  -- The transcoder renders a google.rpc.Status, whose "code" is the gRPC code (0-16); Envoy's own
  -- replies already carry the HTTP code and "status" (local_reply_config in envoy.yaml.tmpl).
  local code = tonumber(string.match(text, '^%s*{%s*"code"%s*:%s*(%d+)') or "")
  if code == nil then return end
  if code == 401 then
    -- Only Envoy's own replies carry an HTTP code here (the transcoder's carry the gRPC code, 16):
    -- jwt_authn's refusals and the not-an-access-token route.
    body:setBytes(token_failure_json(token_failure_reason(string.match(text, '"message"%s*:%s*"(.-)"'))))
    return
  end
  if code < 100 then
    local name = GRPC_NAMES[code] or "UNKNOWN"
    text = string.gsub(text, '^%s*{%s*"code"%s*:%s*%d+', '{"code":' .. status .. ',"status":"' .. name .. '"', 1)
  end
  if string.find(text, '"details"%s*:') == nil then
    text = string.gsub(text, "}%s*$", ',"details":[]}', 1)
  end
  body:setBytes(text)
  -- RetryInfo.retry_delay is a Duration ("7s", "0.500s"); Retry-After wants whole seconds, rounded up.
  local secs, frac = string.match(text, '"retry_delay"%s*:%s*"(%d+)%.?(%d*)s"')
  if secs ~= nil then
    local delay = tonumber(secs)
    if frac ~= "" and tonumber(frac) > 0 then delay = delay + 1 end
    -- handle:body() waited for the whole body; fetch the (still unsent) headers again after it.
    handle:headers():replace("retry-after", tostring(math.max(delay, 1)))
  end
end
