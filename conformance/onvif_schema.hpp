// ONVIF answers checked against the ONVIF schemas: the service WSDLs' own types plus the XSDs they
// import, resolved offline through conformance/onvif_xsd/catalog.xml and compiled once into one
// libxml2 schema. validate() reports each schema error of a SOAP answer's Body element or Fault.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "device/core/result.hpp"

namespace camrig::conformance {

struct SchemaError {
  std::string element;  //!< the element the error is about, e.g. "tds:Manufacturer"
  int line = 0;         //!< line in the answer
  std::string message;  //!< libxml2's words, e.g. "Element '{...}Model': This element is not expected."
  std::string text() const;  //!< "line 4, <tds:Model>: ..."
};

class OnvifSchema {
 public:
  //! The catalog that ships in the source tree (conformance/onvif_xsd/catalog.xml).
  static std::filesystem::path default_catalog();
  //! Compiles the combined schema once per catalog; later calls return the same one.
  static Result<std::shared_ptr<const OnvifSchema>> load(const std::filesystem::path& catalog = default_catalog());

  //! A SOAP 1.2 envelope as received: every child of env:Body (a response element or env:Fault,
  //! its Detail included) is validated. Empty when the answer conforms; an envelope that is not
  //! well-formed or not SOAP 1.2 is one error saying so.
  std::vector<SchemaError> validate(const std::string& envelope) const;

  ~OnvifSchema();
  OnvifSchema(const OnvifSchema&) = delete;
  OnvifSchema& operator=(const OnvifSchema&) = delete;

 private:
  struct Compiled;
  explicit OnvifSchema(std::unique_ptr<Compiled> compiled);
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace camrig::conformance
