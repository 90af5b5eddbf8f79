#include "test_util.h"

#include <stdexcept>

#include "http/responses.h"

namespace mlfaas::http::test {

namespace beast = boost::beast;

ServerFixture::ServerFixture(Handler handler, ServerOptions options, int threads) : work_(ioc_.get_executor()) {
  options.address = "127.0.0.1";
  options.port = 0;
  server_ = std::make_unique<Server>(ioc_, options, std::move(handler));
  server_->start();
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

ServerFixture::~ServerFixture() {
  server_->stop_accepting();
  server_->close_connections();
  work_.reset();
  ioc_.stop();
  for (auto& t : threads_) t.join();
  server_.reset();
}

Handler ok_handler() {
  return [](Request&, RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(Status::ok, "ok");
  };
}

RawServer::RawServer(Script script) : acceptor_(ioc_), script_(std::move(script)) {
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(ep.protocol());
  acceptor_.bind(ep);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(ioc_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
}

RawServer::~RawServer() {
  ioc_.stop();
  thread_.join();
}

asio::awaitable<void> RawServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    ++accepted_;
    asio::co_spawn(ioc_, script_(std::move(socket)), asio::detached);
  }
}

asio::awaitable<bool> read_request(tcp::socket& socket, beast::flat_buffer& buffer) {
  beast::http::request_parser<beast::http::string_body> parser;
  parser.body_limit(1ull << 30);
  auto [ec, n] = co_await beast::http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

BlockingConnection::BlockingConnection(uint16_t port, std::chrono::milliseconds timeout)
    : socket_(ioc_), timeout_(timeout) {
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

// Asio's blocking calls ignore SO_RCVTIMEO, so every wait runs async on the private io_context
// with a time limit; on timeout the socket is closed and the caller gets an exception.
template <class Start>
boost::system::error_code BlockingConnection::run_for(std::chrono::milliseconds limit, Start start) {
  std::optional<boost::system::error_code> result;
  start([&](boost::system::error_code ec, size_t) { result = ec; });
  ioc_.restart();
  ioc_.run_for(limit);
  if (!result) {
    socket_.close();
    ioc_.restart();
    ioc_.run();
    throw std::runtime_error("timed out waiting on the test connection");
  }
  return *result;
}

void BlockingConnection::send(const std::string& bytes) {
  auto ec = run_for(timeout_, [&](auto done) { asio::async_write(socket_, asio::buffer(bytes), done); });
  if (ec) throw boost::system::system_error(ec, "send");
}

Response BlockingConnection::read_response(bool head) {
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(1ull << 30);
  if (head) parser.skip(true);
  auto ec = run_for(timeout_, [&](auto done) { beast::http::async_read(socket_, buffer_, parser, done); });
  if (ec) throw boost::system::system_error(ec, "read_response");
  return parser.release();
}

Response BlockingConnection::roundtrip(const std::string& method, const std::string& target, const std::string& body) {
  Request req{beast::http::string_to_verb(method), target, 11};
  req.set(Field::host, "127.0.0.1");
  req.body() = body;
  req.prepare_payload();
  auto ec = run_for(timeout_, [&](auto done) { beast::http::async_write(socket_, req, done); });
  if (ec) throw boost::system::system_error(ec, "write request");
  return read_response(method == "HEAD");
}

bool BlockingConnection::closed_by_peer(std::chrono::milliseconds wait) {
  if (buffer_.size() > 0) return false;
  char c;
  size_t got = 0;
  boost::system::error_code ec;
  try {
    ec = run_for(wait, [&](auto done) {
      socket_.async_read_some(asio::buffer(&c, 1), [&, done](boost::system::error_code e, size_t n) mutable {
        got = n;
        done(e, n);
      });
    });
  } catch (const std::runtime_error&) {
    return false;  // still open after `wait`
  }
  return got == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace mlfaas::http::test
