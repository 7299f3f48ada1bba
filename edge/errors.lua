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
  if string.sub(ctype, 1, 16) == "application/grpc" then return end
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
