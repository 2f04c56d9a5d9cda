//go:build !linux

package memavail

// system knows no bound outside Linux.
func system(root string) (Room, bool) { return Room{}, false }
