#pragma once
// Admin credentials of mlfaas gateways, as the CLI and the load generator find them (the way
// faas-cli keeps its logins):
//   - the gateway's own password file, for a gateway on this machine: `mlfaas up` generates one on
//     first start in the state directory ($XDG_STATE_HOME/mlfaas or ~/.local/state/mlfaas), mode 0600;
//   - logins saved by `mlfaas login --gateway URL --password-stdin`, one per gateway URL, mode 0600.
// Passwords never travel in URLs, arguments or logs.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace mlfaas {

inline constexpr std::string_view kAdminUser = "admin";

// $XDG_STATE_HOME/mlfaas, else $HOME/.local/state/mlfaas.
std::filesystem::path state_dir();
// Where `mlfaas up` keeps its generated admin password.
std::filesystem::path local_password_file();

// The password in `file` (trimmed); if the file does not exist, a new random one is written there
// first (mode 0600, its directory 0700). Safe when several processes start at once: one writes,
// the others read what it wrote. Throws std::runtime_error with the path on I/O errors.
std::string load_or_create_password(const std::filesystem::path& file);
// The password in `file`, trimmed; throws std::runtime_error naming the file if it is unreadable or empty.
std::string read_password_file(const std::filesystem::path& file);

// "Basic base64(user:password)".
std::string basic_authorization(std::string_view user, std::string_view password);
// Whether an Authorization header value carries exactly user:password (compared in constant time).
bool basic_authorization_matches(std::string_view header, std::string_view user, std::string_view password);

// The Authorization header value for `gateway_url`: a saved login, else (for a loopback gateway)
// the local gateway's password file; nullopt if neither exists.
std::optional<std::string> gateway_authorization(const std::string& gateway_url);
// Saves (replaces) the login for `gateway_url`.
void save_gateway_login(const std::string& gateway_url, std::string_view user, std::string_view password);

}  // namespace mlfaas
