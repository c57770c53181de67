namespace Cortex.Serialization;

/// <summary>
/// The wire shape of each payload DTO, member by member in order (see BrainFileDto.cs); the info views share
/// the shapes of the DTOs they view. A new member added to a DTO must be added here too.
/// </summary>
internal static class WireSchemas
{
    public static readonly WireMember[] File =
        { WireMember.Object, WireMember.Object, WireMember.Floats, WireMember.Object, WireMember.Object, WireMember.Objects, WireMember.Object };

    public static readonly WireMember[] Metadata =
        { WireMember.Text, WireMember.Eight, WireMember.Eight, WireMember.Texts, WireMember.Texts, WireMember.Text };

    public static readonly WireMember[] Spec =
        { WireMember.Four, WireMember.Objects, WireMember.Byte, WireMember.Four, WireMember.Object, WireMember.Four };

    public static readonly WireMember[] Layer = { WireMember.Four, WireMember.Byte, WireMember.Four, WireMember.Byte };

    public static readonly WireMember[] Optimizer =
    {
        WireMember.Byte, WireMember.Four, WireMember.Four, WireMember.Byte, WireMember.Four, WireMember.Four,
        WireMember.Four, WireMember.Four, WireMember.Four,
    };

    public static readonly WireMember[] OptimizerState = { WireMember.Eight, WireMember.Floats, WireMember.Floats };

    public static readonly WireMember[] RandomState =
        { WireMember.Eight, WireMember.Eight, WireMember.Eight, WireMember.Eight, WireMember.Four, WireMember.Byte };

    public static readonly WireMember[] Section = { WireMember.Text, WireMember.Floats };

    /// <summary>Format 2's recurrent layer: kind, hidden units, recurrent scale, longest training sequence.</summary>
    public static readonly WireMember[] Recurrent = { WireMember.Byte, WireMember.Four, WireMember.Four, WireMember.Four };

    /// <summary>A demonstration file's payload (DemonstrationDto.cs); int arrays measure like float arrays.</summary>
    public static readonly WireMember[] Demonstration =
    {
        WireMember.Text, WireMember.Four, WireMember.Floats, WireMember.Four, WireMember.Floats, WireMember.Floats, WireMember.Floats,
        WireMember.Bytes,
    };
}
