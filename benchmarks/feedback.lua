-- wrk script: POST feedback with a unique idempotency key per request (thread id + counter).
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  key = args[1]
  counter = 0
end
function request()
  counter = counter + 1
  local body = string.format('{"idempotency_key":"wrk-%d-%09d","comment":"Le formulaire est clair","satisfaction":"oui"}', id, counter)
  return wrk.format("POST", "/api/v1/feedback", {["Content-Type"] = "application/json", ["X-Servicelab-Key"] = key}, body)
end
