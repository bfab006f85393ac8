#!/bin/sh
# Generates the gSOAP C++ bindings of the ONVIF services into the build directory, offline.
# Usage: generate_soap.sh <source dir device/onvif> <output dir> <number of soapC_NNN.cpp parts>
# wsdl2h fetches every http(s) schemaLocation it meets, so a copy of the WSDL tree is made with
# those locations rewritten to the local copies in wsdl/deps.
set -eu
src=$1
out=$2
parts=$3
work=$out/wsdl
rm -rf "$work" "$out/gen"
mkdir -p "$work" "$out/gen"
cp -r "$src/wsdl/." "$work/"
for f in $(grep -rlE '(schemaLocation|location)="https?://' "$work" --include='*.wsdl' --include='*.xsd'); do
  rel=$(realpath --relative-to="$(dirname "$f")" "$work/deps")
  sed -i -E \
    -e "s#(schemaLocation|location)=\"https?://docs\.oasis-open\.org/(wsn|wsrf)/([A-Za-z0-9-]+\.(xsd|wsdl))\"#\1=\"$rel/\3\"#g" \
    -e "s#schemaLocation=\"https?://www\.w3\.org/2005/08/addressing/ws-addr\.xsd\"#schemaLocation=\"$rel/ws-addr.xsd\"#g" \
    "$f"
done
cat /usr/share/gsoap/WS/typemap.dat "$src/typemap.dat" > "$out/typemap.dat"
wsdl2h -O4 -P -t "$out/typemap.dat" -o "$out/onvif.h" \
  "$work/ver10/device/wsdl/devicemgmt.wsdl" "$work/ver10/media/wsdl/media.wsdl" \
  "$work/ver20/media/wsdl/media.wsdl" "$work/ver20/ptz/wsdl/ptz.wsdl" \
  "$work/ver20/imaging/wsdl/imaging.wsdl" "$work/ver10/events/wsdl/event.wsdl" \
  "$work/ver10/deviceio.wsdl" "$work/ver20/analytics/wsdl/analytics.wsdl" >"$out/wsdl2h.log" 2>&1 \
  || { cat "$out/wsdl2h.log"; exit 1; }
# soapcpp2 leaves prefixes no type uses out of the namespace table, and faults (ter:) and event
# topics (tns1:) are QNames written at run time, so declare both.
cat >>"$out/onvif.h" <<'H'
#import "wsse.h"
#import "wsdd10.h"
//gsoap ter schema namespace: http://www.onvif.org/ver10/error
typedef char *ter__dummy;
//gsoap tns1 schema namespace: http://www.onvif.org/ver10/topics
typedef char *tns1__dummy;
H
soapcpp2 -j -x -L -f300 -d "$out/gen" -I"$src/import:/usr/share/gsoap/import:/usr/share/gsoap" \
  "$out/onvif.h" >"$out/soapcpp2.log" 2>&1 || { cat "$out/soapcpp2.log"; exit 1; }
# The date stamp is the only non-deterministic line; without it ccache's direct mode hits.
for f in "$out"/gen/soapC*.cpp "$out"/gen/soap*.cpp; do sed -i '/^SOAP_SOURCE_STAMP/d' "$f"; done
# The build lists the parts; a schema change that moves the split must be noticed, not half-built.
last=$(printf '%s/gen/soapC_%03d.cpp' "$out" "$parts")
next=$(printf '%s/gen/soapC_%03d.cpp' "$out" $((parts + 1)))
if [ ! -f "$last" ] || [ -f "$next" ]; then
  echo "soapcpp2 -f300 no longer writes $parts soapC parts: update onvif_soap_parts in device/onvif/CMakeLists.txt" >&2
  exit 1
fi
