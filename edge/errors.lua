-- Response side of the edge: gives every transcoded gRPC error the body
-- {"code": <http>, "status": "<GRPC_CODE>", "message": ..., "details": [...]}
-- and turns google.rpc.RetryInfo into a Retry-After header.
local GRPC_NAMES = {
  [0] = "OK", [1] = "CANCELLED", [2] = "UNKNOWN", [3] = "INVALID_ARGUMENT",
  [4] = "DEADLINE_EXCEEDED", [5] = "NOT_FOUND", [6] = "ALREADY_EXISTS",
  [7] = "PERMISSION_DENIED", [8] = "RESOURCE_EXHAUSTED", [9] = "FAILED_PRECONDITION",
  [10] = "ABORTED", [11] = "OUT_OF_RANGE", [12] = "UNIMPLEMENTED", [13] = "INTERNAL",
  [14] = "UNAVAILABLE", [15] = "DATA_LOSS", [16] = "UNAUTHENTICATED",
}

function envoy_on_request(handle)
  -- The seed's paths end in "/", the http rule grammar forbids it: drop one trailing slash.
  local headers = handle:headers()
  local path = headers:get(":path")
  if path == nil then return end
  local base, query = string.match(path, "^([^?]*)(.*)$")
  if #base > 1 and string.sub(base, -1) == "/" and string.sub(base, 1, 10) ~= "/api/docs/" then
    headers:replace(":path", string.sub(base, 1, -2) .. query)
    handle:clearRouteCache()
  end
end

function envoy_on_response(handle)
  local headers = handle:headers()
  local status = tonumber(headers:get(":status") or "200")
  local ctype = headers:get("content-type") or ""
  if status < 400 or string.find(ctype, "application/json", 1, true) == nil then return end
  local body = handle:body()
  if body == nil then return end
  local text = body:getBytes(0, body:length())
  if string.find(text, '"status"%s*:') == nil then
    -- A google.rpc.Status from the transcoder: its "code" is the gRPC code.
    local grpc_code = string.match(text, '^%s*{%s*"code"%s*:%s*(%d+)')
    if grpc_code == nil then return end
    local name = GRPC_NAMES[tonumber(grpc_code)] or "UNKNOWN"
    text = string.gsub(text, '^%s*{%s*"code"%s*:%s*%d+', '{"code":' .. status .. ',"status":"' .. name .. '"', 1)
  end
  if string.find(text, '"details"%s*:') == nil then
    text = string.gsub(text, "}%s*$", ',"details":[]}', 1)
  end
  body:setBytes(text)
  local delay = string.match(text, '"retry_delay"%s*:%s*"(%d+)')
  if delay ~= nil then headers:replace("retry-after", delay) end
end
