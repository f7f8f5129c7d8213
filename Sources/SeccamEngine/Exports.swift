// Embedders `import SeccamEngine` and get the media and motion value types too.
@_exported public import SeccamMedia
@_exported public import SeccamMotion
@_exported public import SeccamClips
@_exported public import SeccamSpool
