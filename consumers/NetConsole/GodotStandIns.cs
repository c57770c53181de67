using System;

// Stand-ins for the few Godot 4 types the example in godot/ touches, with Godot's names and signatures, so the
// example is compiled (and stepped) here where Godot's SDK is not available. In a Godot project the real ones are used.
namespace Godot
{
    public partial class Node
    {
        public virtual void _Ready() { }

        public virtual void _PhysicsProcess(double delta) { }

        public virtual void _ExitTree() { }
    }

    public static class GD
    {
        public static void Print(params object[] what) => Console.WriteLine(string.Concat(what));

        public static void PrintErr(params object[] what) => Console.Error.WriteLine(string.Concat(what));
    }

    public static class ProjectSettings
    {
        /// <summary>Maps user:// to a folder under the temp directory (Godot maps it to the game's user data folder).</summary>
        public static string GlobalizePath(string path) =>
            path.StartsWith("user://", StringComparison.Ordinal)
                ? System.IO.Path.Combine(UserDirectory, path.Substring("user://".Length))
                : path;

        public static string UserDirectory { get; set; } = System.IO.Path.GetTempPath();
    }
}
