-- wrk script: POST a file as the raw body (the study's OpenFaaS client).
-- usage: wrk -t1 -c16 -d20s -s bench/wrk/post-file.lua URL -- FILE [CONTENT_TYPE]
local body, ctype
function init(args)
  local f = assert(io.open(args[1], "rb"))
  body = f:read("*all")
  f:close()
  ctype = args[2] or "image/jpeg"
end
function request()
  return wrk.format("POST", nil, {["Content-Type"] = ctype}, body)
end
