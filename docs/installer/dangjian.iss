; 社区党建工作台 — Inno Setup script: wraps the PyInstaller folder dist\dangjian\ into one setup .exe.
;
;   pyinstaller --noconfirm build.spec
;   iscc /DAppVersion=0.1.0 docs\installer\dangjian.iss
;
; Writes dist\installer\dangjian-setup-<version>.exe. Needs Inno Setup 6.3 or later (x64compatible).
; UNTESTED: written on Linux, never compiled (see README.md beside this file).
; This file is UTF-8 with a byte-order mark, so that Inno Setup reads the Chinese text correctly;
; keep the BOM when editing.

; --- version: /DAppVersion=x.y.z; else read from the built program's version resource ---------------
#define Root AddBackslash(SourcePath) + "..\..\"
#define Dist Root + "dist\dangjian\"
#ifndef AppVersion
  #define AppVersion GetVersionNumbersString(Dist + "dangjian.exe")
#endif
#if AppVersion == ""
  #error Pass the version: iscc /DAppVersion=x.y.z docs\installer\dangjian.iss
#endif

#define AppName "社区党建工作台"
#define AppExe "dangjian.exe"
#define CliExe "dangjian-cli.exe"

; --- Simplified Chinese: an unofficial Inno Setup translation -----------------------------------------
; ChineseSimplified.isl is not among Inno Setup's official languages: download it from the Inno Setup
; translations page (jrsoftware.org/files/istrans/) and put it beside this script or in the compiler's
; Languages folder. Without it the installer is built in English only.
#if FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
  #define ChineseIsl AddBackslash(SourcePath) + "ChineseSimplified.isl"
#elif FileExists(CompilerPath + "Languages\ChineseSimplified.isl")
  #define ChineseIsl CompilerPath + "Languages\ChineseSimplified.isl"
#elif FileExists(CompilerPath + "Languages\Unofficial\ChineseSimplified.isl")
  #define ChineseIsl CompilerPath + "Languages\Unofficial\ChineseSimplified.isl"
#else
  #pragma warning "ChineseSimplified.isl not found: building an English-only installer"
#endif

[Setup]
; AppId identifies the program to Windows' uninstall list and to later installers: never change it.
AppId={{0C7B92ED-347A-4D29-8DAE-9219F993F7EE}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; An ASCII folder name: support staff type it, and old tools choke on others.
DefaultDirName={autopf}\dangjian-workbench
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Office users often have no administrator rights: install for the current user unless they choose
; (or are able to) install for everyone.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
; The bundle is 64-bit Python and Qt 6, which needs Windows 10 or later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}dist\installer
OutputBaseFilename=dangjian-setup-{#AppVersion}
SetupIconFile={#Root}resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running copy before files are replaced (Windows Restart Manager).
CloseApplications=yes

[Languages]
#ifdef ChineseIsl
Name: "chinesesimplified"; MessagesFile: "{#ChineseIsl}"
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An update replaces the whole bundle: libraries an older version had must not linger beside new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The whole PyInstaller folder: dangjian.exe (windowed), dangjian-cli.exe (console twin), _internal\.
Source: "{#Dist}*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
; The self-check in a console window that stays open, for support staff on the telephone.
Name: "{group}\{#AppName} 自检"; Filename: "{cmd}"; Parameters: "/k """"{app}\{#CliExe}"" check"""; WorkingDir: "{app}"; IconFilename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Alembic compiles the migration scripts it loads; Python may leave __pycache__ folders beside them.
Type: filesandordirs; Name: "{app}\_internal\db\migrations\__pycache__"
Type: filesandordirs; Name: "{app}\_internal\db\migrations\versions\__pycache__"
; The user's database, backups and log (in %LOCALAPPDATA%\dangjian-workbench) are deliberately kept.
