// Package mca holds the static throughput test of the dense kernels' tile
// loops, TestTileThroughput: it builds the root package for amd64 and
// arm64, disassembles every tile routine with llvm-objdump, feeds each
// tile's innermost loop to llvm-mca for the CPU models of its
// architecture, and fails when a tile's loop would leave the FMA pipes
// idle. The test runs on amd64 hosts, where the tools are; the package
// has nothing to import.
package mca
