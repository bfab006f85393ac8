#include "conformance/onvif_schema.hpp"

#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <libxml/catalog.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlschemas.h>

#ifndef CAMRIG_ONVIF_CATALOG
#error "CAMRIG_ONVIF_CATALOG must name conformance/onvif_xsd/catalog.xml"
#endif

namespace camrig::conformance {
namespace {

constexpr const char* k_xsd = "http://www.w3.org/2001/XMLSchema";
constexpr const char* k_soap12 = "http://www.w3.org/2003/05/soap-envelope";
constexpr const char* k_tt = "http://www.onvif.org/ver10/schema";
constexpr const char* k_tt_location = "http://www.onvif.org/ver10/schema/onvif.xsd";

// The service WSDLs whose <types> hold the request and response elements, by their public location.
constexpr const char* k_service_wsdls[] = {
    "http://www.onvif.org/ver10/device/wsdl/devicemgmt.wsdl", "http://www.onvif.org/ver10/media/wsdl/media.wsdl",
    "http://www.onvif.org/ver20/media/wsdl/media.wsdl",       "http://www.onvif.org/ver20/ptz/wsdl/ptz.wsdl",
    "http://www.onvif.org/ver20/imaging/wsdl/imaging.wsdl",   "http://www.onvif.org/ver10/events/wsdl/event.wsdl",
    "http://www.onvif.org/ver10/deviceio.wsdl",               "http://www.onvif.org/ver20/analytics/wsdl/analytics.wsdl",
};
// Namespaces an answer uses beyond the services' own: notification, resource and topic faults.
constexpr std::pair<const char*, const char*> k_extra_imports[] = {
    {k_soap12, "http://www.w3.org/2003/05/soap-envelope"},
    {"http://docs.oasis-open.org/wsn/b-2", "http://docs.oasis-open.org/wsn/b-2.xsd"},
    {"http://docs.oasis-open.org/wsn/t-1", "http://docs.oasis-open.org/wsn/t-1.xsd"},
    {"http://docs.oasis-open.org/wsrf/bf-2", "http://docs.oasis-open.org/wsrf/bf-2.xsd"},
    {"http://docs.oasis-open.org/wsrf/r-2", "http://docs.oasis-open.org/wsrf/r-2.xsd"},
};

const xmlChar* x(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string qualified_name(const xmlNode* node) {
  if (!node || !node->name) return {};
  const std::string local = reinterpret_cast<const char*>(node->name);
  if (node->ns && node->ns->prefix) return reinterpret_cast<const char*>(node->ns->prefix) + (":" + local);
  return local;
}

// What the schema compiler asked for while the combined schema is built: catalog, documents
// made in memory (the WSDLs' <types>), and what could not be found offline.
struct LoadState {
  xmlCatalogPtr catalog = nullptr;
  std::map<std::string, std::string> documents;  // by the path they are served under
  std::string onvif_root;  // ONVIF's own schemas (not the OASIS/W3C ones) live under this directory
  std::vector<std::string> problems;
};
LoadState* g_loading = nullptr;  // set only while compiling, under g_compile_mutex
std::mutex g_compile_mutex;

std::string strip_file_scheme(std::string location) {
  if (location.starts_with("file://")) location.erase(0, 7);
  return location;
}

std::string resolve(xmlCatalogPtr catalog, const std::string& location) {
  xmlChar* found = xmlACatalogResolve(catalog, nullptr, x(location.c_str()));
  if (!found) found = xmlACatalogResolveURI(catalog, x(location.c_str()));
  if (!found) return location;
  std::string path = strip_file_scheme(reinterpret_cast<const char*>(found));
  xmlFree(found);
  return path;
}

bool is(const xmlNode* node, const char* ns, const char* name);
xmlNode* first_element(xmlNode* node);

bool optional_or_repeated(xmlNode* particle) {
  xmlChar* min = xmlGetProp(particle, x("minOccurs"));
  xmlChar* max = xmlGetProp(particle, x("maxOccurs"));
  const bool result = (min && xmlStrEqual(min, x("0"))) || (max && !xmlStrEqual(max, x("1")));
  xmlFree(min);
  xmlFree(max);
  return result;
}

// ONVIF's extension points are often `<xs:any namespace="##any|##targetNamespace">` next to
// optional elements of the same namespace: not deterministic (XML Schema's unique particle
// attribution), which libxml2 refuses to compile. ONVIF extends there through other namespaces,
// so exactly those wildcards are narrowed to ##other; a wildcard alone in its sequence
// (tt:ElementItem's content, say) keeps accepting ONVIF's own elements.
void narrow_ambiguous_wildcards(xmlNode* node) {
  for (; node; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (is(node, k_xsd, "any") && node->parent && is(node->parent, k_xsd, "sequence")) {
      xmlChar* ns = xmlGetProp(node, x("namespace"));
      const bool same_namespace = !ns || xmlStrEqual(ns, x("##any")) || xmlStrEqual(ns, x("##targetNamespace"));
      xmlFree(ns);
      bool ambiguous = false;
      bool after = false;
      for (auto* sibling = first_element(node->parent->children); sibling; sibling = first_element(sibling->next)) {
        if (sibling == node) {
          after = true;
          continue;
        }
        if (!is(sibling, k_xsd, "element")) continue;
        if (after ? optional_or_repeated(node) : optional_or_repeated(sibling)) ambiguous = true;
      }
      if (same_namespace && ambiguous) xmlSetProp(node, x("namespace"), x("##other"));
    }
    narrow_ambiguous_wildcards(node->children);
  }
}

std::string serialised(xmlDocPtr doc) {
  xmlChar* text = nullptr;
  int size = 0;
  xmlDocDumpMemory(doc, &text, &size);
  std::string result(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
  xmlFree(text);
  return result;
}

// An ONVIF schema file as the compiler gets it: its ambiguous wildcards narrowed.
std::optional<std::string> narrowed_schema_file(const std::string& path) {
  // Read here, not through xmlReadFile: that would come back to load_entity.
  std::ifstream file(path);
  std::ostringstream content;
  content << file.rdbuf();
  if (!file) return std::nullopt;
  const auto raw = content.str();
  xmlDocPtr doc = xmlReadMemory(raw.data(), static_cast<int>(raw.size()), path.c_str(), nullptr, XML_PARSE_NONET);
  if (!doc) return std::nullopt;
  narrow_ambiguous_wildcards(xmlDocGetRootElement(doc));
  auto text = serialised(doc);
  xmlFreeDoc(doc);
  return text;
}

bool is_remote(const std::string& location) {
  return location.starts_with("http:") || location.starts_with("https:") || location.starts_with("ftp:");
}

// Every schema the compiler opens comes from memory, or from a file the catalog names; never the network.
xmlParserInputPtr load_entity(const char* url, const char* id, xmlParserCtxtPtr context) {
  if (!url || !g_loading) return nullptr;
  const std::string location = strip_file_scheme(url);
  auto it = g_loading->documents.find(location);
  if (it == g_loading->documents.end() && location.starts_with(g_loading->onvif_root)) {
    if (auto text = narrowed_schema_file(location)) it = g_loading->documents.emplace(location, std::move(*text)).first;
  }
  if (it != g_loading->documents.end()) {
    xmlParserInputBufferPtr buffer =
        xmlParserInputBufferCreateMem(it->second.data(), static_cast<int>(it->second.size()), XML_CHAR_ENCODING_NONE);
    xmlParserInputPtr input = buffer ? xmlNewIOInputStream(context, buffer, XML_CHAR_ENCODING_NONE) : nullptr;
    if (input) input->filename = reinterpret_cast<const char*>(xmlStrdup(x(location.c_str())));
    return input;
  }
  const auto local = resolve(g_loading->catalog, location);
  if (local != location) return load_entity(local.c_str(), id, context);
  if (is_remote(local)) {
    g_loading->problems.push_back(fmt::format("schema location {} is not in the catalog (id {})", location, id ? id : "-"));
    return nullptr;
  }
  return xmlNewInputFromFile(context, local.c_str());
}

void collect_compile_error(void* user, xmlErrorPtr error) {
  if (error && error->level >= XML_ERR_ERROR)
    static_cast<std::vector<std::string>*>(user)->push_back(
        fmt::format("{}:{}: {}", error->file ? error->file : "?", error->line, trimmed(error->message)));
}

void collect_validation_error(void* user, xmlErrorPtr error) {
  if (!error || error->level < XML_ERR_ERROR) return;
  SchemaError found;
  found.element = qualified_name(static_cast<const xmlNode*>(error->node));
  found.line = error->line;
  found.message = trimmed(error->message);
  static_cast<std::vector<SchemaError>*>(user)->push_back(std::move(found));
}

xmlNode* first_element(xmlNode* node) {
  for (; node; node = node->next)
    if (node->type == XML_ELEMENT_NODE) return node;
  return nullptr;
}

bool is(const xmlNode* node, const char* ns, const char* name) {
  return node && node->ns && xmlStrEqual(node->ns->href, x(ns)) && xmlStrEqual(node->name, x(name));
}

// The <xs:schema> of a WSDL's <types> as a schema document of its own: the prefixes it inherits
// from <wsdl:definitions> (QNames in type="tt:..." need them) declared on it, and its relative
// schema locations made absolute, since the copy is served under another name.
Result<std::string> schema_of_wsdl(const std::string& path) {
  xmlDocPtr wsdl = xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET);
  if (!wsdl) return Error{ErrorCode::not_found, "cannot read the WSDL " + path + ": " + trimmed(xmlGetLastError() ? xmlGetLastError()->message : "")};
  xmlNode* schema = nullptr;
  for (auto* types = first_element(xmlDocGetRootElement(wsdl)->children); types && !schema; types = first_element(types->next))
    if (xmlStrEqual(types->name, x("types")))
      for (auto* child = first_element(types->children); child && !schema; child = first_element(child->next))
        if (is(child, k_xsd, "schema")) schema = child;
  if (!schema) {
    xmlFreeDoc(wsdl);
    return Error{ErrorCode::invalid_argument, "the WSDL " + path + " has no <xs:schema> in its <types>"};
  }
  xmlDocPtr out = xmlNewDoc(x("1.0"));
  xmlNode* copy = xmlDocCopyNode(schema, out, 1);
  xmlDocSetRootElement(out, copy);
  if (xmlNsPtr* in_scope = xmlGetNsList(wsdl, schema)) {
    for (auto** ns = in_scope; *ns; ++ns)
      if (!xmlSearchNs(out, copy, (*ns)->prefix)) xmlNewNs(copy, (*ns)->href, (*ns)->prefix);
    xmlFree(in_scope);
  }
  for (auto* child = first_element(copy->children); child; child = first_element(child->next)) {
    if (!is(child, k_xsd, "import") && !is(child, k_xsd, "include")) continue;
    xmlChar* location = xmlGetProp(child, x("schemaLocation"));
    if (!location) continue;
    if (xmlChar* absolute = xmlBuildURI(location, x(path.c_str()))) {
      xmlSetProp(child, x("schemaLocation"), absolute);
      xmlFree(absolute);
    }
    xmlFree(location);
  }
  narrow_ambiguous_wildcards(copy);
  std::string result = serialised(out);
  xmlFreeDoc(out);
  xmlFreeDoc(wsdl);
  return result;
}

std::string target_namespace(const std::string& schema_text) {
  const auto at = schema_text.find("targetNamespace=\"");
  if (at == std::string::npos) return {};
  const auto start = at + 17;
  return schema_text.substr(start, schema_text.find('"', start) - start);
}

}  // namespace

std::string SchemaError::text() const {
  std::string out = line > 0 ? fmt::format("line {}", line) : std::string();
  if (!element.empty()) out += (out.empty() ? "<" : ", <") + element + ">";
  return out + (out.empty() ? "" : ": ") + message;
}

struct OnvifSchema::Compiled {
  xmlSchemaPtr schema = nullptr;
  ~Compiled() {
    if (schema) xmlSchemaFree(schema);
  }
};

OnvifSchema::OnvifSchema(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}
OnvifSchema::~OnvifSchema() = default;

std::filesystem::path OnvifSchema::default_catalog() { return CAMRIG_ONVIF_CATALOG; }

Result<std::shared_ptr<const OnvifSchema>> OnvifSchema::load(const std::filesystem::path& catalog_path) {
  static std::map<std::string, std::shared_ptr<const OnvifSchema>> compiled_by_catalog;
  std::lock_guard lock(g_compile_mutex);
  xmlInitParser();
  const auto key = std::filesystem::absolute(catalog_path).lexically_normal().string();
  if (const auto it = compiled_by_catalog.find(key); it != compiled_by_catalog.end()) return it->second;
  if (!std::filesystem::exists(key))
    return Error{ErrorCode::not_found, "the ONVIF schema catalog " + key + " does not exist (conformance/onvif_xsd/catalog.xml)"};

  LoadState state;
  state.catalog = xmlLoadACatalog(key.c_str());
  if (!state.catalog) return Error{ErrorCode::invalid_argument, "cannot read the XML catalog " + key};
  const auto tt_path = resolve(state.catalog, k_tt_location);
  if (is_remote(tt_path)) {
    xmlFreeCatalog(state.catalog);
    return Error{ErrorCode::invalid_argument, std::string("the catalog ") + key + " does not map " + k_tt_location + " to a local file"};
  }
  const auto schema_dir = std::filesystem::path(tt_path).parent_path().string();
  state.onvif_root = std::filesystem::path(schema_dir).parent_path().parent_path().string() + "/ver";

  // ONVIF's own namespace (tt) is spread over onvif.xsd and metadatastream.xsd, and a schema
  // imports a namespace only once: one document includes both and is imported first.
  std::string root = fmt::format("<xs:schema xmlns:xs=\"{}\" targetNamespace=\"urn:camrig:onvif-answers\">\n", k_xsd);
  const auto tt_all = schema_dir + "/camrig-tt-all.xsd";
  state.documents[tt_all] = fmt::format(
      "<xs:schema xmlns:xs=\"{}\" targetNamespace=\"{}\" elementFormDefault=\"qualified\">"
      "<xs:include schemaLocation=\"{}/onvif.xsd\"/><xs:include schemaLocation=\"{}/metadatastream.xsd\"/></xs:schema>",
      k_xsd, k_tt, schema_dir, schema_dir);
  root += fmt::format("<xs:import namespace=\"{}\" schemaLocation=\"{}\"/>\n", k_tt, tt_all);
  for (const char* wsdl : k_service_wsdls) {
    const auto path = resolve(state.catalog, wsdl);
    auto types = schema_of_wsdl(path);
    if (!types) {
      xmlFreeCatalog(state.catalog);
      return types.error();
    }
    const auto served_as = path + ".types.xsd";
    root += fmt::format("<xs:import namespace=\"{}\" schemaLocation=\"{}\"/>\n", target_namespace(*types), served_as);
    state.documents[served_as] = std::move(*types);
  }
  for (const auto& [ns, location] : k_extra_imports) root += fmt::format("<xs:import namespace=\"{}\" schemaLocation=\"{}\"/>\n", ns, location);
  root += "</xs:schema>\n";

  std::vector<std::string> errors;
  g_loading = &state;
  const auto previous_loader = xmlGetExternalEntityLoader();
  xmlSetExternalEntityLoader(load_entity);
  xmlSchemaPtr schema = nullptr;
  if (xmlDocPtr doc = xmlReadMemory(root.data(), static_cast<int>(root.size()), (schema_dir + "/camrig-answers.xsd").c_str(), nullptr,
                                    XML_PARSE_NONET)) {
    if (xmlSchemaParserCtxtPtr parser = xmlSchemaNewDocParserCtxt(doc)) {
      xmlSchemaSetParserStructuredErrors(parser, collect_compile_error, &errors);
      schema = xmlSchemaParse(parser);
      xmlSchemaFreeParserCtxt(parser);
    }
    xmlFreeDoc(doc);
  }
  xmlSetExternalEntityLoader(previous_loader);
  g_loading = nullptr;
  xmlFreeCatalog(state.catalog);

  errors.insert(errors.begin(), state.problems.begin(), state.problems.end());
  if (!schema || !errors.empty()) {
    if (schema) xmlSchemaFree(schema);
    std::string message = "the ONVIF schemas do not compile";
    for (std::size_t i = 0; i < errors.size() && i < 500; ++i) message += (i ? "; " : ": ") + errors[i];
    return Error{ErrorCode::internal, message};
  }
  auto compiled = std::make_unique<Compiled>();
  compiled->schema = schema;
  std::shared_ptr<const OnvifSchema> result(new OnvifSchema(std::move(compiled)));
  compiled_by_catalog.emplace(key, result);
  return result;
}

std::vector<SchemaError> OnvifSchema::validate(const std::string& envelope) const {
  std::vector<SchemaError> errors;
  xmlParserCtxtPtr parser = xmlNewParserCtxt();
  if (!parser) return {SchemaError{{}, 0, "out of memory"}};
  xmlDocPtr doc = xmlCtxtReadMemory(parser, envelope.data(), static_cast<int>(envelope.size()), "answer.xml", nullptr,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) {
    const auto* error = xmlCtxtGetLastError(parser);
    errors.push_back({{}, error ? error->line : 0, "not well-formed XML: " + trimmed(error ? error->message : "no document")});
    xmlFreeParserCtxt(parser);
    return errors;
  }
  xmlFreeParserCtxt(parser);
  xmlNode* root = xmlDocGetRootElement(doc);
  xmlNode* body = nullptr;
  if (is(root, k_soap12, "Envelope"))
    for (auto* child = first_element(root->children); child; child = first_element(child->next))
      if (is(child, k_soap12, "Body")) body = child;
  if (!body) {
    errors.push_back({qualified_name(root), root ? static_cast<int>(root->line) : 0,
                      "not a SOAP 1.2 envelope (Envelope/Body in " + std::string(k_soap12) + ")"});
  } else if (xmlSchemaValidCtxtPtr validator = xmlSchemaNewValidCtxt(compiled_->schema)) {
    xmlSchemaSetValidStructuredErrors(validator, collect_validation_error, &errors);
    for (auto* element = first_element(body->children); element; element = first_element(element->next))
      if (xmlSchemaValidateOneElement(validator, element) < 0)
        errors.push_back({qualified_name(element), static_cast<int>(element->line), "the validator failed on this element"});
    xmlSchemaFreeValidCtxt(validator);
  }
  xmlFreeDoc(doc);
  return errors;
}

}  // namespace camrig::conformance
