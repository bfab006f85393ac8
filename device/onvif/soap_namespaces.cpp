// The global XML namespace table gSOAP's runtime needs once per program. All generated .nsmap
// files are identical; each service's dispatch installs its own copy per request anyway.
#include "DeviceBinding.nsmap"
