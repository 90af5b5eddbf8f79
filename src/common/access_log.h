#pragma once
// One line per request, on stdout (the gateway's and the function's): JSON for machines (the
// default; RFC 3339 time, method, path, status, bytes, duration, trace and request ids, and what
// the caller adds: function, revision, replica, queue wait, cold start), or the human format for a
// terminal, or off. Thread-safe; each line is written whole.
#include <boost/json/object.hpp>
#include <string>

namespace mlfaas {

enum class AccessLogFormat { json, text, off };

// "json" | "text" | "off"; throws std::invalid_argument for anything else.
AccessLogFormat parse_access_log_format(const std::string& s);
void set_access_log_format(AccessLogFormat f);
AccessLogFormat access_log_format();

// Writes one request's line: `fields` gets "time" (and "msg": "request") added first.
void access_log(boost::json::object fields);

// RFC 3339 UTC with microseconds: 2026-11-30T10:00:00.123456Z.
std::string rfc3339_now();

}  // namespace mlfaas
