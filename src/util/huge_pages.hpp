// Storage for large arrays read at random places, such as an image set's index of pixels off the
// background (env/pixel_index.hpp, 27 MB for MNIST's training images): on 4 KB pages each row a
// batch reads lies on a page of its own, and the CPU walks the page tables for most of them. An
// allocation of at least 2 MB goes on a 2 MB boundary and is marked for transparent huge pages
// (madvise), so that the whole index sits in a few dozen pages. Advice only: where the kernel
// declines (transparent huge pages off), the pages stay plain and nothing else changes. Measured in
// training (README, "Measures, noisy inputs, two cores and the whole study").
#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>
#include <sys/mman.h>

namespace modspec {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHugePage = size_t(2) << 20;

  HugePageAllocator() = default;
  template <class U>
  explicit HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes));
    const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHugePage)
      ::operator delete(p);
    else
      std::free(p);
  }
  bool operator==(const HugePageAllocator&) const { return true; }
};

}  // namespace modspec
