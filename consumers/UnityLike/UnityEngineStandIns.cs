// Stand-ins for the few UnityEngine types the package's sample scripts touch, with Unity's names and signatures,
// so the samples compile here (netstandard2.1, C# 9) where Unity is not available.
namespace UnityEngine
{
    public class Object { }

    public class Component : Object
    {
        public Transform transform { get; } = null!;
    }

    public class Behaviour : Component { }

    public class MonoBehaviour : Behaviour { }

    public class Transform : Component
    {
        public Vector3 localPosition { get; set; }
    }

    public struct Vector3
    {
        public float x, y, z;

        public Vector3(float x, float y, float z)
        {
            this.x = x;
            this.y = y;
            this.z = z;
        }

        public float sqrMagnitude => x * x + y * y + z * z;

        public static Vector3 operator +(Vector3 a, Vector3 b) => new Vector3(a.x + b.x, a.y + b.y, a.z + b.z);

        public static Vector3 operator -(Vector3 a, Vector3 b) => new Vector3(a.x - b.x, a.y - b.y, a.z - b.z);

        public static Vector3 operator *(Vector3 a, float d) => new Vector3(a.x * d, a.y * d, a.z * d);
    }

    public static class Random
    {
        public static Vector3 insideUnitSphere => default;
    }

    public static class Application
    {
        public static string persistentDataPath => System.IO.Path.GetTempPath();
    }
}
