#pragma once
// The message types every mlfaas HTTP component speaks. string_body holds binary data fine
// (image uploads, model outputs); bodies are fully buffered, which is what inference needs anyway.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace mlfaas::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using Status = bhttp::status;
using Verb = bhttp::verb;
using Field = bhttp::field;

}  // namespace mlfaas::http
