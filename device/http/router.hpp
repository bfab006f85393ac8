// Routing of HTTP requests: method + path pattern ("/ISAPI/Streaming/channels/{id}") → handler,
// each route declaring the permission it needs. The router authenticates, checks the permission,
// runs the handler and turns every refusal or error into a response through one renderer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/beast/http.hpp>

#include "device/core/result.hpp"
#include "device/http/response_stream.hpp"
#include "device/security/authenticator.hpp"
#include "device/security/user_level.hpp"

namespace camrig::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

//! What a handler sees of a request.
struct RequestContext {
  const Request& message;
  std::string path;                                       //!< target without the query
  std::map<std::string, std::string> query;               //!< "format" → "json"
  std::map<std::string, std::string> path_parameters;     //!< "{id}" → "101"
  std::optional<security::UserAccount> user;              //!< set on routes that need a permission
  std::string client_address;

  //! The value of query parameter `name`, if the request has it.
  std::optional<std::string> query_value(const std::string& name) const {
    const auto found = query.find(name);
    if (found == query.end()) return std::nullopt;
    return found->second;
  }
};

//! A complete response, or a header now and a chunked body later (`stream` set).
struct Reply {
  Response response;
  std::shared_ptr<ResponseStream> stream;
};

using Handler = std::function<Result<Reply>(RequestContext&)>;

//! The HTTP status of an error crossing into this protocol: the one mapping of ErrorCode.
beast_http::status status_for(const Error& error);

class Router {
 public:
  //! Builds the error response; `status` is status_for(error) or the router's own refusal
  //! (401 unauthenticated, 403 locked or lacking permission, 404, 405).
  using ErrorRenderer = std::function<Response(const RequestContext&, const Error&, beast_http::status)>;
  //! What a precondition lets through: the route as declared, or (e.g. device information for
  //! discovery before activation) without login.
  enum class Admission { as_declared, without_login };
  //! Runs before authentication on every matched route; a response refuses the request
  //! (e.g. "not activated"). `permission` is the route's.
  using Precondition = std::function<std::variant<Admission, Response>(const RequestContext&,
                                                                       std::optional<security::Permission> permission)>;

  //! A declared route as listed by routes(): what the permission walk and documentation enumerate.
  struct RouteInfo {
    beast_http::verb method;
    std::string pattern;
    std::optional<security::Permission> permission;
  };

  //! `permission` nullopt: no login needed.
  void add(beast_http::verb method, std::string pattern, std::optional<security::Permission> permission,
           Handler handler);
  void set_error_renderer(ErrorRenderer renderer) { render_error_ = std::move(renderer); }
  void set_precondition(Precondition precondition) { precondition_ = std::move(precondition); }

  //! Every route in the order added.
  std::vector<RouteInfo> routes() const;

  //! Routes one request. `authenticator` may be null only if no route needs a permission.
  Reply handle(const Request& request, std::string_view client_address, security::Authenticator* authenticator) const;
  //! The answer to a request the server refused before routing (400 malformed, 413 body too large),
  //! rendered like every route error so clients parse one error format; the connection closes after it.
  Response refusal(const Request& request, std::string_view client_address, const Error& failure,
                   beast_http::status status) const;

 private:
  struct Route {
    beast_http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    std::optional<security::Permission> permission;
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string>& segments,
                    std::map<std::string, std::string>& parameters);
  Response error(const RequestContext& context, const Error& failure, beast_http::status status) const;
  static RequestContext context_of(const Request& request, std::string_view client_address);

  std::vector<Route> routes_;
  ErrorRenderer render_error_;
  Precondition precondition_;
};

//! "a=1&format=json" → {a: 1, format: json}, percent-decoded.
std::map<std::string, std::string> parse_query(std::string_view query);

}  // namespace camrig::http
