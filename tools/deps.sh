#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Fenestra needs, only those that are missing.
# Sourced by tools/run and tools/test.
fen_packages=(
  build-essential cmake ninja-build pkg-config
  libglib2.0-dev libgtk-4-dev
  libdcmtk-dev dcmtk
  libtiff-dev libpng-dev libopenjp2-7-dev libopenjp2-tools libcharls-dev
  libsoup-3.0-dev libjson-glib-dev libsecret-1-dev
)
# orthanc + orthanc-dicomweb: the real archive the PACS tests run against
# (started by the test itself on loopback, never as a system service); curl
# uploads the generated studies through its REST API. libgdcm-tools and
# dicom3tools: files written by others than DCMTK, and a validator. The
# end-to-end tests read overlay text back from screenshots with tesseract,
# paste paths into the file chooser with xclip, and hand files to a running
# viewer over a private bus of dbus-daemon. gnome-keyring: a real Secret
# Service (gnome-keyring-daemon on that private bus) for the PACS secrets.
fen_test_packages=(xvfb xdotool xclip imagemagick tesseract-ocr tesseract-ocr-eng dbus-daemon clang libclang-rt-14-dev
                   libgdcm-tools dicom3tools orthanc orthanc-dicomweb curl gnome-keyring)

fen_install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
