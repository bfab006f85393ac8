#include "device/http/router.hpp"

#include <cctype>

#include "device/core/text.hpp"

namespace camrig::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) segments.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else out.push_back(text[i] == '+' ? ' ' : text[i]);
  }
  return out;
}

}  // namespace

beast_http::status status_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::out_of_range:
    case ErrorCode::already_exists: return beast_http::status::bad_request;
    case ErrorCode::not_configurable:
    case ErrorCode::permission_denied: return beast_http::status::forbidden;
    case ErrorCode::not_found: return beast_http::status::not_found;
    case ErrorCode::unavailable: return beast_http::status::service_unavailable;
    case ErrorCode::io_error:
    case ErrorCode::internal: return beast_http::status::internal_server_error;
  }
  return beast_http::status::internal_server_error;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> parameters;
  std::size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const auto item = query.substr(start, end - start);
    const auto equals = item.find('=');
    if (!item.empty())
      parameters[percent_decode(item.substr(0, equals))] =
          equals == std::string_view::npos ? std::string() : percent_decode(item.substr(equals + 1));
    start = end + 1;
  }
  return parameters;
}

void Router::add(beast_http::verb method, std::string pattern, std::optional<security::Permission> permission,
                 Handler handler) {
  auto segments = split_path(pattern);
  routes_.push_back(Route{method, std::move(pattern), std::move(segments), permission, std::move(handler)});
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> listed;
  listed.reserve(routes_.size());
  for (const auto& route : routes_) listed.push_back(RouteInfo{route.method, route.pattern, route.permission});
  return listed;
}

bool Router::match(const Route& route, const std::vector<std::string>& segments,
                   std::map<std::string, std::string>& parameters) {
  if (route.segments.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& expected = route.segments[i];
    if (expected.size() > 2 && expected.front() == '{' && expected.back() == '}')
      found[expected.substr(1, expected.size() - 2)] = percent_decode(segments[i]);
    else if (!text::equal_ignoring_case(expected, segments[i]))  // ISAPI clients differ in case ("Channels")
      return false;
  }
  parameters = std::move(found);
  return true;
}

Response Router::error(const RequestContext& context, const Error& failure, beast_http::status status) const {
  if (render_error_) return render_error_(context, failure, status);
  Response response{status, context.message.version()};
  response.set(beast_http::field::content_type, "text/plain; charset=utf-8");
  response.body() = failure.message + "\n";
  return response;
}

RequestContext Router::context_of(const Request& request, std::string_view client_address) {
  const std::string_view target(request.target().data(), request.target().size());
  const auto question = target.find('?');
  return RequestContext{request, std::string(target.substr(0, question)),
                        question == std::string_view::npos ? std::map<std::string, std::string>{}
                                                           : parse_query(target.substr(question + 1)),
                        {}, std::nullopt, std::string(client_address)};
}

Response Router::refusal(const Request& request, std::string_view client_address, const Error& failure,
                         beast_http::status status) const {
  const auto context = context_of(request, client_address);
  auto response = error(context, failure, status);
  response.keep_alive(false);
  response.set(beast_http::field::server, "camrig");
  response.prepare_payload();
  return response;
}

Reply Router::handle(const Request& request, std::string_view client_address,
                     security::Authenticator* authenticator) const {
  const std::string_view target(request.target().data(), request.target().size());
  auto context = context_of(request, client_address);
  auto finish = [&](Response response) {
    response.keep_alive(request.keep_alive());
    response.set(beast_http::field::server, "camrig");
    response.prepare_payload();
    return Reply{std::move(response), nullptr};
  };

  const auto segments = split_path(context.path);
  const Route* route = nullptr;
  bool path_known = false;
  for (const auto& candidate : routes_) {
    std::map<std::string, std::string> parameters;
    if (!match(candidate, segments, parameters)) continue;
    path_known = true;
    if (candidate.method != request.method()) continue;
    route = &candidate;
    context.path_parameters = std::move(parameters);
    break;
  }
  if (!route) {
    if (path_known)
      return finish(error(context, make_error(ErrorCode::not_found, std::string(request.method_string()) +
                                                                        " is not supported on " + context.path),
                          beast_http::status::method_not_allowed));
    return finish(error(context, make_error(ErrorCode::not_found, "no resource " + context.path),
                        beast_http::status::not_found));
  }

  auto admission = Admission::as_declared;
  if (precondition_) {
    auto decision = precondition_(context, route->permission);
    if (auto* refused = std::get_if<Response>(&decision)) return finish(std::move(*refused));
    admission = std::get<Admission>(decision);
  }

  if (route->permission && admission == Admission::as_declared) {
    if (!authenticator)
      return finish(error(context, make_error(ErrorCode::internal, "no authenticator"),
                          beast_http::status::internal_server_error));
    const auto authorization = request[beast_http::field::authorization];
    const auto cookie = request[beast_http::field::cookie];
    auto outcome = authenticator->authenticate({std::string_view(request.method_string().data(), request.method_string().size()),
                                                target, std::string_view(authorization.data(), authorization.size()),
                                                client_address},
                                               security::session_token_in(std::string_view(cookie.data(), cookie.size())));
    if (auto* challenge = std::get_if<security::Challenge>(&outcome)) {
      if (challenge->reason == security::Challenge::Reason::address_locked) {
        const auto minutes =
            challenge->locked_for ? std::chrono::ceil<std::chrono::minutes>(*challenge->locked_for).count() : 0;
        return finish(error(context,
                            make_error(ErrorCode::unavailable,
                                       challenge->message + " for " + std::to_string(minutes) + " more minute(s)"),
                            beast_http::status::forbidden));
      }
      auto response = error(context, make_error(ErrorCode::permission_denied, challenge->message),
                            beast_http::status::unauthorized);
      for (const auto& value : challenge->www_authenticate) response.insert(beast_http::field::www_authenticate, value);
      return finish(std::move(response));
    }
    context.user = std::get<security::UserAccount>(std::move(outcome));
    if (!security::level_has(context.user->level, *route->permission))
      return finish(error(context,
                          make_error(ErrorCode::permission_denied,
                                     "the " + std::string(security::to_string(context.user->level)) + " level lacks the " +
                                         std::string(security::to_string(*route->permission)) + " permission"),
                          beast_http::status::forbidden));
  }

  auto result = route->handler(context);
  if (!result) return finish(error(context, result.error(), status_for(result.error())));
  auto reply = std::move(*result);
  if (reply.stream) {
    reply.response.keep_alive(false);
    reply.response.set(beast_http::field::server, "camrig");
    reply.response.chunked(true);
    return reply;
  }
  return finish(std::move(reply.response));
}

}  // namespace camrig::http
