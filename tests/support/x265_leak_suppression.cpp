// libx265 3.5 (Debian 12) keeps per-encoder allocations from x265_encoder_open() that
// x265_encoder_close() does not free. Test binaries that open H.265 encoders link this object so
// that LeakSanitizer (asan preset) skips that library's allocations and still fails on ours.
// The symbol is unused without sanitizers.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() { return "leak:libx265.so\n"; }
