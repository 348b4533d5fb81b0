package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The ossfs 1.x form, `ossfs BUCKET[:/PREFIX] MOUNTPOINT [-o OPT[,OPT...]] [-f]`,
// is what fstab runs through mount.fuse3. It is translated into the argv
// of `ossfs mount` so that both forms share one parser and one code path.

// legacyArgs is a parsed 1.x command line.
type legacyArgs struct {
	Foreground bool
	MountArgs  []string // flags then BUCKET MOUNTPOINT, for the mount command
}

// ignoredOptions are generic mount(8)/FUSE options that mean nothing to a
// read-only ossfs, or that mount.fuse3 may pass through.
var ignoredOptions = map[string]bool{
	"ro": true, "rw": true, "defaults": true, "_netdev": true, "nofail": true,
	"auto": true, "noauto": true, "user": true, "users": true, "nouser": true,
	"dev": true, "nodev": true, "suid": true, "nosuid": true, "exec": true, "noexec": true,
	"atime": true, "noatime": true, "relatime": true, "nodiratime": true, "async": true,
	"nonempty": true, "default_permissions": true,
}

// parseLegacy reads 1.x argv (without the program name). boolFlags and
// valueFlags are the mount command's own flag names, which -o accepts too.
func parseLegacy(args []string, boolFlags, valueFlags map[string]bool) (*legacyArgs, error) {
	var pos, opts []string
	la := &legacyArgs{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-o":
			if i+1 >= len(args) {
				return nil, errors.New("-o needs a value")
			}
			i++
			opts = append(opts, args[i])
		case strings.HasPrefix(a, "-o"):
			opts = append(opts, a[2:])
		case a == "-f":
			la.Foreground = true
		case a == "-d", a == "--debug":
			la.Foreground = true
			opts = append(opts, "dbglevel=debug")
		case a == "-s": // single-threaded FUSE: not needed, accepted for old command lines
		case strings.HasPrefix(a, "-") && a != "-":
			return nil, fmt.Errorf("unknown option %q (the ossfs 1.x form takes -o OPT[,OPT...], -f and -d)", a)
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		return nil, fmt.Errorf("expected BUCKET[:/PREFIX] MOUNTPOINT, got %d argument(s)", len(pos))
	}
	var flags []string
	for _, group := range opts {
		for _, opt := range strings.Split(group, ",") {
			if opt == "" {
				continue
			}
			f, err := mapLegacyOption(opt, boolFlags, valueFlags)
			if err != nil {
				return nil, err
			}
			flags = append(flags, f...)
		}
	}
	la.MountArgs = append(flags, pos...)
	return la, nil
}

// mapLegacyOption turns one -o option into mount flags.
func mapLegacyOption(opt string, boolFlags, valueFlags map[string]bool) ([]string, error) {
	name, val, hasVal := strings.Cut(opt, "=")
	if ignoredOptions[name] || strings.HasPrefix(name, "x-") || name == "comment" {
		return nil, nil
	}
	flag := func(f string) []string { return []string{"--" + f + "=" + val} }
	needVal := func() error {
		if !hasVal || val == "" {
			return fmt.Errorf("-o %s needs a value (%s=...)", name, name)
		}
		return nil
	}
	switch name {
	case "url":
		if err := needVal(); err != nil {
			return nil, err
		}
		return flag(flagEndpoint), nil
	case "use_path_request_style":
		return []string{"--" + flagPathStyle}, nil
	case "sigv4":
		return []string{"--" + flagSignatureVersion + "=4"}, nil
	case "sigv1":
		return []string{"--" + flagSignatureVersion + "=1"}, nil
	case "ram_role":
		return mapRAMRole(val)
	case "max_stat_cache_size":
		if err := needVal(); err != nil {
			return nil, err
		}
		return flag(flagCacheEntries), nil
	case "stat_cache_expire":
		secs, err := strconv.ParseUint(val, 10, 31)
		if err != nil {
			return nil, fmt.Errorf("-o stat_cache_expire=%q: want whole seconds", val)
		}
		return []string{fmt.Sprintf("--%s=%ds", flagMetadataTTL, secs)}, nil
	case "dbglevel":
		lvl, ok := map[string]string{"debug": "debug", "dbg": "debug", "info": "info", "warn": "warn", "err": "error", "error": "error", "crit": "error"}[val]
		if !ok {
			return nil, fmt.Errorf("-o dbglevel=%q: want debug, info, warn or err", val)
		}
		return []string{"--" + flagLogLevel + "=" + lvl}, nil
	}
	// Our own flag names, with '_' or '-'.
	f := strings.ReplaceAll(name, "_", "-")
	switch {
	case f == flagReadyFD:
	case boolFlags[f]:
		if hasVal {
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, fmt.Errorf("-o %s=%q: want true or false", name, val)
			}
			return []string{fmt.Sprintf("--%s=%t", f, b)}, nil
		}
		return []string{"--" + f}, nil
	case valueFlags[f]:
		if err := needVal(); err != nil {
			return nil, err
		}
		return flag(f), nil
	}
	return nil, fmt.Errorf("unknown -o option %q (ossfs 1.x names: url, use_path_request_style, sigv4, region, passwd_file, ram_role, allow_other, uid, gid, umask, ro, max_stat_cache_size, stat_cache_expire, dbglevel; or any `ossfs mount` option, e.g. role_arn=...)", name)
}

// mapRAMRole maps ram_role, ram_role=auto, ram_role=NAME and the old
// ram_role=http://HOST/latest/meta-data/ram/security-credentials/NAME.
func mapRAMRole(val string) ([]string, error) {
	const credPath = "/latest/meta-data/ram/security-credentials/"
	switch {
	case val == "" || val == "auto":
		return []string{"--" + flagECSRole + "=auto"}, nil
	case strings.HasPrefix(val, "http://") || strings.HasPrefix(val, "https://"):
		base, role, ok := strings.Cut(val, credPath)
		if !ok || role == "" || strings.Contains(role, "/") {
			return nil, fmt.Errorf("-o ram_role=%q: a URL must end in %sROLE_NAME", val, credPath)
		}
		return []string{"--" + flagECSRole + "=" + role, "--" + flagECSMetadata + "=" + base}, nil
	}
	return []string{"--" + flagECSRole + "=" + val}, nil
}
