// Package localwork retries local system calls that fail while a device is
// busy: there is no remote dependency to hammer, so a constant wait is fine.
package localwork

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

var errBusy = errors.New("device or resource busy")

func deleteDevice(name string) error {
	if _, err := os.Stat(name); err != nil {
		return err
	}
	return os.Remove(name)
}

// Remove deletes a device node, waiting out a transient busy state.
func Remove(name string) error {
	var err error
	for i := 0; i < 10; i++ {
		err = deleteDevice(name)
		if err != nil && strings.Contains(err.Error(), errBusy.Error()) {
			time.Sleep(time.Second)
			continue
		}
		return err
	}
	return fmt.Errorf("remove %s: %w", name, err)
}

func getFreeSlot(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	if len(entries) == 0 {
		return "", errBusy
	}
	return entries[0].Name(), nil
}

// Attach claims a slot, waiting while all are taken.
func Attach(dir string) (string, error) {
	for attempt := 0; attempt < 5; attempt++ {
		slot, err := getFreeSlot(dir)
		if errors.Is(err, errBusy) {
			time.Sleep(500 * time.Millisecond)
			continue
		}
		return slot, err
	}
	return "", errBusy
}
